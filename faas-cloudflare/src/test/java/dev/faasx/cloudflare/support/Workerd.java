package dev.faasx.cloudflare.support;

import dev.faasx.cloudflare.LocalWorkersRuntime;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The workerd binary for tests: found where {@link LocalWorkersRuntime#findWorkerd()} looks, or else installed with
 * npm into {@code target/workerd} (the build sets {@code faasx.workerd.installDir}). Tests that need it are skipped,
 * with the reason, when neither works (for example without npm or without access to the npm registry).
 */
public final class Workerd {
    private Workerd() {
    }

    public static Path binary() {
        Optional<Path> found = LocalWorkersRuntime.findWorkerd();
        if (found.isPresent()) {
            return found.get();
        }
        Path prefix = Path.of(System.getProperty("faasx.workerd.installDir", "target/workerd"));
        try {
            return LocalWorkersRuntime.installWorkerd(prefix);
        } catch (IOException e) {
            Assumptions.abort("workerd is not available and could not be installed with npm: " + e.getMessage());
            throw new AssertionError("unreachable");
        }
    }
}
