package dev.faasx.digitalocean.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The runtime kinds DigitalOcean Functions offers and which of them this machine can run: {@code python:*} with
 * {@code python3} and {@code nodejs:*} with {@code node}, each through a small launcher of ours that follows
 * OpenWhisk's action model. {@code go:*} and {@code php:*} actions are accepted, as on the platform, but their
 * activations end with a whisk internal error that says the runtime is not available here.
 */
public final class Runtimes {
    /** The kinds DigitalOcean lists (the {@code default} alias of each, and the versions it offers). */
    static final List<String> KINDS = List.of("nodejs:default", "nodejs:14", "nodejs:18", "python:default",
            "python:3.9", "python:3.11", "go:default", "go:1.17", "go:1.20", "php:default", "php:8.0", "php:8.2");

    private final Path python;
    private final Path node;
    private final Path launchers;

    public Runtimes(Path python, Path node, Path workDir) {
        this.python = python;
        this.node = node;
        this.launchers = workDir.resolve("launchers");
        try {
            Files.createDirectories(launchers);
            copy("python_launcher.py");
            copy("node_launcher.js");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the action launchers to " + launchers, e);
        }
    }

    private void copy(String name) throws IOException {
        try (InputStream in = Runtimes.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("resource " + name + " is missing from the emulator's jar");
            }
            Files.write(launchers.resolve(name), in.readAllBytes());
        }
    }

    static boolean isKnown(String kind) {
        return KINDS.contains(kind);
    }

    static String family(String kind) {
        return kind.substring(0, kind.indexOf(':'));
    }

    /** The command that starts one instance of {@code kind}, or why this machine cannot run it. */
    Launch launch(String kind) {
        return switch (family(kind)) {
            case "python" -> python == null
                    ? Launch.unavailable("python3 was not found on this machine, so python actions cannot run")
                    : Launch.of(List.of(python.toString(), "-u", launchers.resolve("python_launcher.py").toString()),
                    "__main__.py");
            case "nodejs" -> node == null
                    ? Launch.unavailable("node was not found on this machine, so nodejs actions cannot run")
                    : Launch.of(List.of(node.toString(), launchers.resolve("node_launcher.js").toString()),
                    "index.js");
            default -> Launch.unavailable("the " + kind + " runtime is not available in the local emulator; it runs"
                    + " python and nodejs actions");
        };
    }

    /** How to start an instance, or why it cannot be started. */
    record Launch(List<String> command, String defaultEntry, String unavailable) {
        static Launch of(List<String> command, String defaultEntry) {
            return new Launch(command, defaultEntry, null);
        }

        static Launch unavailable(String reason) {
            return new Launch(List.of(), null, reason);
        }

        boolean available() {
            return unavailable == null;
        }
    }

    /** The first of {@code names} that runs with {@code --version} on this machine's PATH. */
    public static Optional<Path> find(String... names) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String name : names) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir).resolve(name);
                if (Files.isExecutable(candidate) && runs(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** {@code python3}'s real interpreter (not a version manager's shim, which costs a shell start per instance). */
    public static Optional<Path> findPython() {
        return find("python3").map(shim -> {
            try {
                Process p = new ProcessBuilder(shim.toString(), "-c", "import sys; print(sys.executable)")
                        .redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                        .strip();
                if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()
                        && Files.isExecutable(Path.of(out))) {
                    return Path.of(out);
                }
            } catch (IOException e) {
                return shim;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return shim;
        });
    }

    private static boolean runs(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
