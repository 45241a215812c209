package dev.faasx.http;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.function.FunctionMain;
import dev.faasx.testkit.CompatibilityFunction;
import java.nio.file.Path;

/**
 * Packages of the compatibility function for the reference server: a {@code bootstrap} script that starts this
 * JVM's {@code java} on the test class path, running {@link FunctionMain} with {@link CompatibilityFunction}. The
 * reference server runs it on the same machine, so absolute paths are enough; no JAR needs building.
 */
final class TestFunctions {
    private TestFunctions() {
    }

    /**
     * The test class path, which the reference server's sandbox must let the function read (it shows functions only
     * the system's directories and their package otherwise).
     */
    static java.util.List<Path> classPath() {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator)).filter(s -> !s.isBlank())
                .map(Path::of).toList();
    }

    static FunctionPackage.NativeZip compatibilityFunction() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire may put a manifest-only JAR on java.class.path; it names the real class path, which is enough.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return FunctionPackage.bootstrapScript("#!/bin/sh\n"
                + "exec " + quote(java) + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx128m"
                + " -cp " + quote(classPath) + " " + FunctionMain.class.getName() + " "
                + CompatibilityFunction.class.getName() + "\n");
    }

    /** {@code s} in single quotes for sh, with embedded single quotes escaped. */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
