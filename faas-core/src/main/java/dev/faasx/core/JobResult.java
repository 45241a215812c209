package dev.faasx.core;

import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.time.Duration;
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

    /**
     * The whole call as the runner measured it, from the moment it took the call to its result: queueing, every
     * attempt, retry waits and a fallback included ({@link Provenance#MEASURED_BY_CLIENT}); unknown for a result
     * that no runner made. {@link #metrics()} describes only the last attempt.
     */
    Figure<Duration> elapsed();

    /**
     * How many times the call was sent to its executor: 0 when it never was (local runs, no route, refused before
     * sending), 1 for a single invocation, more after retries.
     */
    int attempts();

    /** A success for {@code call}, made outside a runner: its {@link #elapsed()} is unknown. */
    static Success success(JobCall call, JobOutput output, Placement placement, String provider,
                           InvocationMetrics metrics) {
        return success(call, output, placement, provider, metrics, Figure.unknown(), 0);
    }

    /** A success for {@code call} with the runner's whole-call figures. */
    static Success success(JobCall call, JobOutput output, Placement placement, String provider,
                           InvocationMetrics metrics, Figure<Duration> elapsed, int attempts) {
        return new Success(call.callId(), call.jobId(), output.body(), output.metadata(), placement, provider,
                metrics, elapsed, attempts);
    }

    /** A failure for {@code call}, made outside a runner: its {@link #elapsed()} is unknown. */
    static Failure failure(JobCall call, FaasException error, Placement placement, String provider,
                           InvocationMetrics metrics) {
        return failure(call, error, placement, provider, metrics, Figure.unknown(), 0);
    }

    /** A failure for {@code call} with the runner's whole-call figures. */
    static Failure failure(JobCall call, FaasException error, Placement placement, String provider,
                           InvocationMetrics metrics, Figure<Duration> elapsed, int attempts) {
        return new Failure(call.callId(), call.jobId(), error, placement, provider, metrics, elapsed, attempts);
    }

    /** A call that produced output. The body is copied in and out. */
    record Success(String callId, long jobId, byte[] body, Map<String, String> metadata, Placement placement,
                   String provider, InvocationMetrics metrics, Figure<Duration> elapsed, int attempts)
            implements JobResult {
        public Success {
            Objects.requireNonNull(callId, "callId");
            body = body == null ? new byte[0] : body.clone();
            metadata = Checks.copyOfStrings(metadata, "metadata");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(elapsed, "elapsed");
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
            }
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
                    && provider.equals(s.provider) && metrics.equals(s.metrics) && elapsed.equals(s.elapsed)
                    && attempts == s.attempts;
        }

        @Override
        public int hashCode() {
            return Objects.hash(callId, jobId, Arrays.hashCode(body), metadata, placement, provider, metrics, elapsed,
                    attempts);
        }

        @Override
        public String toString() {
            return "Success[callId=" + callId + ", jobId=" + jobId + ", body=" + body.length + " bytes, placement="
                    + placement + ", provider=" + provider + ", attempts=" + attempts + ", elapsed=" + elapsed + "]";
        }
    }

    /** A call that failed; {@link #error()} says why. */
    record Failure(String callId, long jobId, FaasException error, Placement placement, String provider,
                   InvocationMetrics metrics, Figure<Duration> elapsed, int attempts) implements JobResult {
        public Failure {
            Objects.requireNonNull(callId, "callId");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(provider, "provider");
            Objects.requireNonNull(metrics, "metrics");
            Objects.requireNonNull(elapsed, "elapsed");
            if (attempts < 0) {
                throw new IllegalArgumentException("attempts must not be negative, was " + attempts);
            }
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
