package dev.faasx.core.spec;

import dev.faasx.core.Figure;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobOutput;
import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The answer to an invocation: what a function writes on stdout and a server returns from
 * {@code /api/functions/{id}/invoke}.
 *
 * <p>On the wire (spec v1): {@code {"job_id":7,"result":[104,105],"success":true,"execution_ms":3}}, or for a
 * failure {@code {"job_id":7,"result":[],"success":false,"error":"..."}}; {@code execution_ms} and
 * {@code memory_used_mb} are optional. Extensions, all optional: {@code "result_base64"} instead of {@code result},
 * {@code "call_id"}, {@code "metadata"}, {@code "error_type"}, {@code "cold_start"} and {@code "init_ms"}.
 *
 * <p>The figures are what the function or platform reported. An absent figure is unknown and stays empty; it is
 * never defaulted to zero. Durations travel as whole milliseconds.
 *
 * <p>Immutable and thread-safe; the result bytes are copied in and out.
 *
 * <pre>{@code
 * InvokeResponse ok = InvokeResponse.builder(7).result(bytes).executionDuration(Duration.ofMillis(3)).build();
 * InvokeResponse failed = InvokeResponse.failure(7, "input is empty");
 * }</pre>
 *
 * @param jobId             the job id of the request
 * @param result            the output bytes (empty for failures)
 * @param success           whether the function succeeded
 * @param error             the failure message, for failures
 * @param errorType         the failure's type (for example an exception class name), when known
 * @param callId            the request's call id, echoed back
 * @param metadata          string pairs the function returned
 * @param executionDuration how long the function ran ({@code execution_ms}), when reported
 * @param memoryUsedMb      peak memory used in MiB ({@code memory_used_mb}), when reported
 * @param coldStart         whether a new instance served the call ({@code cold_start}), when reported
 * @param initDuration      instance start-up time ({@code init_ms}), when reported
 */
public record InvokeResponse(long jobId, byte[] result, boolean success, Optional<String> error,
                             Optional<String> errorType, Optional<String> callId, Map<String, String> metadata,
                             Optional<Duration> executionDuration, OptionalLong memoryUsedMb,
                             Optional<Boolean> coldStart, Optional<Duration> initDuration) {

    private static final byte[] EMPTY = new byte[0];

    public InvokeResponse {
        result = result == null || result.length == 0 ? EMPTY : result.clone();
        error = orEmpty(error);
        errorType = orEmpty(errorType);
        callId = orEmpty(callId);
        metadata = Checks.copyOfStrings(metadata, "metadata");
        executionDuration = orEmpty(executionDuration);
        memoryUsedMb = memoryUsedMb == null ? OptionalLong.empty() : memoryUsedMb;
        coldStart = orEmpty(coldStart);
        initDuration = orEmpty(initDuration);
        executionDuration.ifPresent(d -> requireNotNegative(d, "executionDuration"));
        initDuration.ifPresent(d -> requireNotNegative(d, "initDuration"));
        if (memoryUsedMb.isPresent() && memoryUsedMb.getAsLong() < 0) {
            throw new IllegalArgumentException("memoryUsedMb must not be negative");
        }
    }

    /** A success with {@code result} and nothing else. */
    public static InvokeResponse success(long jobId, byte[] result) {
        return builder(jobId).result(result).build();
    }

    /** A failure with {@code error} as its message. */
    public static InvokeResponse failure(long jobId, String error) {
        return builder(jobId).failure(error).build();
    }

    /** A builder for a successful response; call {@link Builder#failure(String)} to make it a failure. */
    public static Builder builder(long jobId) {
        return new Builder(jobId);
    }

    /** A builder that starts from this response. */
    public Builder toBuilder() {
        Builder b = new Builder(jobId).result(result).metadata(metadata);
        b.success = success;
        b.error = error.orElse(null);
        b.errorType = errorType.orElse(null);
        b.callId = callId.orElse(null);
        b.executionDuration = executionDuration.orElse(null);
        b.memoryUsedMb = memoryUsedMb.isPresent() ? memoryUsedMb.getAsLong() : null;
        b.coldStart = coldStart.orElse(null);
        b.initDuration = initDuration.orElse(null);
        return b;
    }

    /** The output bytes and metadata, as a job produced them. */
    public JobOutput toJobOutput() {
        return JobOutput.of(result, metadata);
    }

    /**
     * The figures of this response as {@linkplain Figure#reported reported} metrics; everything it does not carry
     * is unknown. Add the client's own measurements with {@link InvocationMetrics#toBuilder()}.
     */
    public InvocationMetrics reportedMetrics() {
        return InvocationMetrics.builder()
                .executionDuration(Figure.reportedOrUnknown(executionDuration.orElse(null)))
                .initDuration(Figure.reportedOrUnknown(initDuration.orElse(null)))
                .coldStart(Figure.reportedOrUnknown(coldStart.orElse(null)))
                .memoryUsedMb(Figure.reportedOrUnknown(memoryUsedMb.isPresent() ? memoryUsedMb.getAsLong() : null))
                .build();
    }

    /** A copy of the output bytes. */
    @Override
    public byte[] result() {
        return result.length == 0 ? EMPTY : result.clone();
    }

    /** A read-only view of the output bytes, without copying. */
    public ByteBuffer resultBuffer() {
        return ByteBuffer.wrap(result).asReadOnlyBuffer();
    }

    public int resultLength() {
        return result.length;
    }

    private static <T> Optional<T> orEmpty(Optional<T> value) {
        return value == null ? Optional.empty() : value;
    }

    private static void requireNotNegative(Duration d, String name) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InvokeResponse r && jobId == r.jobId && Arrays.equals(result, r.result)
                && success == r.success && error.equals(r.error) && errorType.equals(r.errorType)
                && callId.equals(r.callId) && metadata.equals(r.metadata)
                && executionDuration.equals(r.executionDuration) && memoryUsedMb.equals(r.memoryUsedMb)
                && coldStart.equals(r.coldStart) && initDuration.equals(r.initDuration);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, Arrays.hashCode(result), success, error, errorType, callId, metadata,
                executionDuration, memoryUsedMb, coldStart, initDuration);
    }

    @Override
    public String toString() {
        return "InvokeResponse[jobId=" + jobId + ", success=" + success + ", result=" + result.length + " bytes"
                + error.map(e -> ", error=" + e).orElse("") + ", callId=" + callId.orElse("-") + "]";
    }

    /** Builds an {@link InvokeResponse}; unset figures stay unknown. Not thread-safe. */
    public static final class Builder {
        private final long jobId;
        private byte[] result = EMPTY;
        private boolean success = true;
        private String error;
        private String errorType;
        private String callId;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private Duration executionDuration;
        private Long memoryUsedMb;
        private Boolean coldStart;
        private Duration initDuration;

        private Builder(long jobId) {
            this.jobId = jobId;
        }

        public Builder result(byte[] value) {
            this.result = Objects.requireNonNull(value, "result");
            return this;
        }

        /** Makes this a failure with {@code message} as its error. */
        public Builder failure(String message) {
            this.success = false;
            this.error = Objects.requireNonNull(message, "message");
            return this;
        }

        public Builder errorType(String value) {
            this.errorType = value;
            return this;
        }

        /** The call id to echo; {@code null} for none. */
        public Builder callId(String value) {
            this.callId = value;
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder metadata(Map<String, String> values) {
            values.forEach(this::metadata);
            return this;
        }

        public Builder executionDuration(Duration value) {
            this.executionDuration = value;
            return this;
        }

        public Builder memoryUsedMb(long value) {
            this.memoryUsedMb = value;
            return this;
        }

        public Builder coldStart(boolean value) {
            this.coldStart = value;
            return this;
        }

        public Builder initDuration(Duration value) {
            this.initDuration = value;
            return this;
        }

        public InvokeResponse build() {
            return new InvokeResponse(jobId, result, success, Optional.ofNullable(error),
                    Optional.ofNullable(errorType), Optional.ofNullable(callId), metadata,
                    Optional.ofNullable(executionDuration),
                    memoryUsedMb == null ? OptionalLong.empty() : OptionalLong.of(memoryUsedMb),
                    Optional.ofNullable(coldStart), Optional.ofNullable(initDuration));
        }
    }
}
