package dev.faasx.digitalocean;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.function.FunctionMain;
import dev.faasx.testkit.CompatibilityFunction;
import java.nio.file.Path;

/**
 * Native bootstrap packages for the tests: a {@code bootstrap} script that starts this JVM's {@code java} on the
 * test class path running {@link FunctionMain} with a handler. The emulator runs it on the same machine through the
 * real python wrapper, so absolute paths are enough.
 */
final class TestFunctions {
    private TestFunctions() {
    }

    static FunctionPackage.NativeZip compatibilityFunction() {
        return handler(CompatibilityFunction.class.getName());
    }

    static FunctionPackage.NativeZip handler(String handlerClass) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return FunctionPackage.bootstrapScript("#!/bin/sh\n"
                + "exec " + quote(java) + " -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -Xmx128m"
                + " -cp " + quote(classPath) + " " + FunctionMain.class.getName() + " " + handlerClass + "\n");
    }

    /** A bootstrap written as a shell script, for behaviour the JVM function cannot show cheaply. */
    static FunctionPackage.NativeZip script(String body) {
        return FunctionPackage.bootstrapScript("#!/bin/sh\n" + body + "\n");
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
