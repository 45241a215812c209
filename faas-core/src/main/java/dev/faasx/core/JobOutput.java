package dev.faasx.core;

import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * What a job produced: output bytes and string metadata that travels back to the caller. Returned by a
 * {@link JobHandler} and, inside an {@link Invocation}, by a {@link FaasExecutor}.
 *
 * <pre>{@code
 * return JobOutput.of(result);
 * return JobOutput.of(result, Map.of("rows", "42"));
 * }</pre>
 *
 * @param body     the output bytes (copied in and out)
 * @param metadata string pairs returned to the caller
 */
public record JobOutput(byte[] body, Map<String, String> metadata) {
    private static final byte[] EMPTY = new byte[0];
    private static final JobOutput EMPTY_OUTPUT = new JobOutput(EMPTY, Map.of());

    public JobOutput {
        body = body == null || body.length == 0 ? EMPTY : body.clone();
        metadata = Checks.copyOfStrings(metadata, "metadata");
    }

    public static JobOutput of(byte[] body) {
        return new JobOutput(body, Map.of());
    }

    public static JobOutput of(byte[] body, Map<String, String> metadata) {
        return new JobOutput(body, metadata);
    }

    /** No bytes, no metadata. */
    public static JobOutput empty() {
        return EMPTY_OUTPUT;
    }

    @Override
    public byte[] body() {
        return body.length == 0 ? EMPTY : body.clone();
    }

    /** A read-only view of the output bytes, without copying. */
    public ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobOutput other && Arrays.equals(body, other.body) && metadata.equals(other.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(body), metadata);
    }

    @Override
    public String toString() {
        return "JobOutput[body=" + body.length + " bytes, metadata=" + metadata.keySet() + "]";
    }
}
