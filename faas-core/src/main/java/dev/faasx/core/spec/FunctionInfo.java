package dev.faasx.core.spec;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code GET /api/functions/{id}} answers: the deploy fields plus {@code deployed_at} (RFC 3339) and
 * {@code binary_size_bytes} (spec v1).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * FunctionInfo info = FunctionInfo.of(deployResponse, deployedAt, zip.length);
 * }</pre>
 *
 * @param deployment      the fields a deploy answered with
 * @param deployedAt      when the function was (last) deployed, when known
 * @param binarySizeBytes the deployed package's size, when known
 */
public record FunctionInfo(DeployResponse deployment, Optional<Instant> deployedAt, OptionalLong binarySizeBytes) {

    public FunctionInfo {
        Objects.requireNonNull(deployment, "deployment");
        deployedAt = deployedAt == null ? Optional.empty() : deployedAt;
        binarySizeBytes = binarySizeBytes == null ? OptionalLong.empty() : binarySizeBytes;
    }

    /** The info for a deployment made at {@code deployedAt} from a package of {@code binarySizeBytes}. */
    public static FunctionInfo of(DeployResponse deployment, Instant deployedAt, long binarySizeBytes) {
        return new FunctionInfo(deployment, Optional.of(deployedAt), OptionalLong.of(binarySizeBytes));
    }

    public String functionId() {
        return deployment.functionId();
    }
}
