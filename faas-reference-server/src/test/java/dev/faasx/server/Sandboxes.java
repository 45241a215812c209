package dev.faasx.server;

import dev.faasx.server.internal.sandbox.Bubblewrap;
import java.util.List;
import java.util.Optional;

/** What the sandbox tests need to know about this machine, and how they look at its processes. */
final class Sandboxes {
    private Sandboxes() {
    }

    private static volatile Boolean sandboxWorks;

    /**
     * Whether bubblewrap is installed and can make a sandbox here; the sandbox tests skip, saying so, where it
     * cannot.
     */
    static boolean bubblewrapInstalled() {
        if (sandboxWorks == null) {
            boolean works;
            try {
                Bubblewrap.probe(true, List.of());
                works = true;
            } catch (IllegalStateException e) {
                System.err.println("no sandbox here: " + e.getMessage());
                works = false;
            }
            sandboxWorks = works;
        }
        return sandboxWorks;
    }

    static final String MISSING = "bubblewrap (bwrap) is not installed or cannot make a sandbox here: skipping the "
            + "sandbox tests; install the 'bubblewrap' package to run them";

    /** Whether this process can create cgroups (memory and process limits per instance). */
    static boolean cgroupsUsable() {
        Optional<dev.faasx.server.internal.sandbox.Cgroups> groups = dev.faasx.server.internal.sandbox.Cgroups.open(
                "faasx-probe-" + ProcessHandle.current().pid());
        groups.ifPresent(g -> g.close());
        return groups.isPresent();
    }

    /** How many processes on this machine have a command line containing {@code text}. */
    static long processesRunning(String text) {
        return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(line -> line.contains(text)).orElse(false))
                .count();
    }

    /** The class path entries of this JVM, which sandboxed Java bootstraps of the tests must be able to read. */
    static List<java.nio.file.Path> classPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .map(java.nio.file.Path::of).toList();
    }
}
