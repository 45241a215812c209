package dev.faasx.cloudflare;

import dev.faasx.core.Figure;
import dev.faasx.core.InvocationMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One invocation as its Analytics Engine data point records it, read back through the SQL API by
 * {@link AnalyticsQuery}. The executor's wrapper writes one data point per invocation, indexed by the request id the
 * executor sent ({@link dev.faasx.core.InvocationMetrics#requestId()}).
 *
 * <pre>{@code
 * Map<String, InvocationRecord> found = executor.analytics().awaitInvocations(7, ids, since, Duration.ofMinutes(2)).join();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param requestId      the request id ({@code index1})
 * @param scriptName     the Worker script ({@code blob1})
 * @param jobId          the job id, when the request carried a valid one ({@code blob4})
 * @param callId         the call id, when the request carried one ({@code blob5})
 * @param outcome        {@code success}, {@code failure}, {@code timeout}, {@code invalid} or {@code unauthorized}
 * @param coldStart      whether the invocation was the first request of its isolate ({@code blob3}), as the wrapper
 *                       saw it, when recorded
 * @param wallTime       the time the wrapper measured with the isolate's clock ({@code double1}); on Cloudflare the
 *                       clock advances only at I/O, so CPU-only work shows as (nearly) zero
 * @param httpStatus     the status the wrapper answered ({@code double2})
 * @param timestamp      when the data point was written (whole seconds, set by Analytics Engine)
 * @param sampleInterval how many invocations this row stands for ({@code _sample_interval}); 1 unless sampled
 */
public record InvocationRecord(String requestId, String scriptName, OptionalLong jobId, Optional<String> callId,
                               String outcome, Optional<Boolean> coldStart, Duration wallTime, int httpStatus,
                               Instant timestamp, long sampleInterval) {
    public InvocationRecord {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(scriptName, "scriptName");
        jobId = jobId == null ? OptionalLong.empty() : jobId;
        callId = callId == null ? Optional.empty() : callId;
        Objects.requireNonNull(outcome, "outcome");
        coldStart = coldStart == null ? Optional.empty() : coldStart;
        Objects.requireNonNull(wallTime, "wallTime");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** Whether the invocation succeeded. */
    public boolean succeeded() {
        return outcome.equals("success");
    }

    /**
     * The figures this record holds: the first-request-of-the-isolate flag and the execution time. The data point was
     * written by faasx's wrapper inside the Worker, so they are {@linkplain Figure#reportedByFunction reported by the
     * function}, not by Cloudflare's accounting (only {@link #timestamp()} and {@link #sampleInterval()} come from
     * Analytics Engine itself); everything else is unknown.
     */
    public InvocationMetrics functionMetrics() {
        return InvocationMetrics.builder()
                .coldStart(Figure.reportedByFunctionOrUnknown(coldStart.orElse(null)))
                .executionDuration(Figure.reportedByFunction(wallTime))
                .requestId(requestId)
                .build();
    }
}
