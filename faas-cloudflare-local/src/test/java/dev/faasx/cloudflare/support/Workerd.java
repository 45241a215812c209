package dev.faasx.cloudflare.support;

import dev.faasx.cloudflare.LocalWorkersRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The workerd binary for tests: found where {@link LocalWorkersRuntime#findWorkerd()} looks, or else installed with
 * npm into {@code target/workerd} (the build sets {@code faasx.workerd.installDir}). Tests that need it are skipped,
 * with the reason, when neither works (for example without npm or without access to the npm registry). A failed
 * install is remembered for the rest of the test run, so that it is tried once, not once per test class.
 */
public final class Workerd {
    private static volatile String installFailure;

    private Workerd() {
    }

    public static synchronized Path binary() {
        Optional<Path> found = LocalWorkersRuntime.findWorkerd();
        if (found.isPresent()) {
            return found.get();
        }
        if (installFailure == null) {
            Path prefix = Path.of(System.getProperty("faasx.workerd.installDir", "target/workerd"));
            try {
                return LocalWorkersRuntime.installWorkerd(prefix);
            } catch (IOException e) {
                installFailure = e.getMessage();
            }
        }
        Assumptions.abort("workerd is not available and could not be installed with npm: " + installFailure);
        throw new AssertionError("unreachable");
    }
}
