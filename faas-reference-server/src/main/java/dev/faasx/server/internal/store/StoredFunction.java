package dev.faasx.server.internal.store;

import dev.faasx.core.spec.DeployConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * One deployed version of a function as it lies on disk: its configuration and the directory holding the
 * extracted package, whose {@code bootstrap} is executable.
 *
 * @param id           the function id
 * @param config       the deploy configuration
 * @param directory    the extracted package
 * @param version      the version's directory name, unique per deployment
 * @param deployedAt   when it was deployed
 * @param packageBytes the size of the uploaded zip
 */
public record StoredFunction(String id, DeployConfig config, Path directory, String version, Instant deployedAt,
                             long packageBytes) {
    public StoredFunction {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(deployedAt, "deployedAt");
    }

    public Path bootstrap() {
        return directory.resolve("bootstrap");
    }
}
