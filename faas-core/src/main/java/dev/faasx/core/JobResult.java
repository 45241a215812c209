package dev.faasx.core;

import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * The one result of one {@link JobCall}: a {@link Success} with the output, or a {@link Failure} with a typed
 * {@link FaasException}. Always tied to the call by its call id, and says where the call ran and what is known
 * about it.
 *
 * <pre>{@code
 * switch (result) {
 *     case JobResult.Success s -> store(s.callId(), s.body());
 *     case JobResult.Failure f -> log.warn("job {} failed", f.jobId(), f.error());
 * }
 * }</pre>
 */
public sealed interface JobResult permits JobResult.Success, JobResult.Failure {

    String callId();

    long jobId();

    /** Where the call ran. */
    Placement placement();

    /** The provider that ran it: {@code "local"} for local runs, else {@link FaasExecutor#providerName()}. */
    String provider();

    /** Figures about the call, each with its provenance. */
    InvocationMetrics metrics();

    /** Metadata returned by the job (empty for failures). */
    Map<String, String> metadata();

    boolean isSuccess();

    /** A success for {@code call}. */
    static Success success(JobCall call, JobOutput output, Placement placement, String provider,
                           InvocationMetrics metrics) {
        return new Success(call.callId(), call.jobId(), output.body(), output.metadata(), placement, provider,
                metrics);
    }

    /** A failure for {@code call}. */
    static Failure failure(JobCall call, FaasException error, Placement placement, String provider,
                           InvocationMetrics metrics) {
        return new Failure(call.callId(), call.jobId(), error, placement, provider, metrics);
    }

    /** A call that produced output. The body is copied in and out. */
    record Success(String callId, long jobId, byte[] body, Map<String, String> metadata, Placement placement,
                   String provider, InvocationMetrics metrics) implements JobResult {
        public Success {
            Objects.requireNonNull(callId, "callId");
            body = body == null ? new byte[0] : body.clone();
            metadata = Checks.copyOfStrings(metadata, "metadata");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(metrics, "metrics");
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        /** A read-only view of the output, without copying. */
        public ByteBuffer bodyBuffer() {
            return ByteBuffer.wrap(body).asReadOnlyBuffer();
        }

        @Override
        public boolean isSuccess() {
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Success s && callId.equals(s.callId) && jobId == s.jobId
                    && Arrays.equals(body, s.body) && metadata.equals(s.metadata) && placement == s.placement
                    && provider.equals(s.provider) && metrics.equals(s.metrics);
        }

        @Override
        public int hashCode() {
            return Objects.hash(callId, jobId, Arrays.hashCode(body), metadata, placement, provider, metrics);
        }

        @Override
        public String toString() {
            return "Success[callId=" + callId + ", jobId=" + jobId + ", body=" + body.length + " bytes, placement="
                    + placement + ", provider=" + provider + "]";
        }
    }

    /** A call that failed; {@link #error()} says why. */
    record Failure(String callId, long jobId, FaasException error, Placement placement, String provider,
                   InvocationMetrics metrics) implements JobResult {
        public Failure {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(metrics, "metrics");
        }

        @Override
        public Map<String, String> metadata() {
            return Map.of();
        }

        @Override
        public boolean isSuccess() {
            return false;
        }
    }
}
