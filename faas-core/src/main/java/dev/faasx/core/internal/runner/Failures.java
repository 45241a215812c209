package dev.faasx.core.internal.runner;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.CircuitOpenException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.retry.MaxRetriesExceededException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/** Turns whatever a call failed with into a typed {@link FaasException}, and decides what is safe to repeat. */
final class Failures {
    private Failures() {
    }

    /**
     * The typed error for a failed remote attempt. Resilience4j's own signals become the matching faasx types;
     * anything else an executor threw is a {@link ProviderException} (not retryable, may have run: we cannot know).
     *
     * @param timeLimit the time limiter's limit, for the message of its timeout; may be {@code null}
     */
    static FaasException remote(Throwable failure, String provider, long jobId, Duration timeLimit) {
        Throwable t = Throwables.unwrap(failure);
        if (t instanceof FaasException fe) {
            return fe;
        }
        ErrorContext ctx = ErrorContext.of(provider, jobId);
        if (t instanceof BulkheadFullException) {
            return new ThrottledException("too many concurrent calls of job " + jobId
                    + ": its bulkhead is full; the call was not sent", null, ctx, t);
        }
        if (t instanceof CallNotPermittedException) {
            return new CircuitOpenException("the circuit breaker of job " + jobId
                    + " is open after repeated failures; the call was not sent", ctx, t);
        }
        if (t instanceof TimeoutException) {
            return new FaasTimeoutException("a remote attempt of job " + jobId + " exceeded its time limit"
                    + (timeLimit == null ? "" : " of " + timeLimit), timeLimit, ctx, t);
        }
        if (t instanceof MaxRetriesExceededException) {
            return new ProviderException("the retry policy of job " + jobId + " still rejected the invocation's "
                    + "result after its last attempt (retryOnResult with failAfterMaxAttempts)", false, true, ctx, t);
        }
        if (t instanceof CancellationException) {
            return new CallCancelledException("the invocation of job " + jobId + " was cancelled", ctx, t);
        }
        return new ProviderException("the " + provider + " executor failed unexpectedly for job " + jobId + ": "
                + t, false, true, ctx, t);
    }

    /** The failure of a local handler that threw: its message and its exception type. */
    static FunctionErrorException handler(Throwable t, long jobId) {
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
        return new FunctionErrorException(message, t.getClass().getName(), ErrorContext.of(CallDispatcher.LOCAL, jobId), t);
    }

    /** Whether running the call again cannot run the job twice, or running it twice is harmless. */
    static boolean safeToRepeat(FaasException e, JobPolicy policy) {
        return !e.mayHaveRun() || policy.idempotent();
    }

    /** The runner's retry rule: transient, and safe to repeat. */
    static boolean safeToRetry(Throwable failure, boolean idempotent) {
        return Throwables.unwrap(failure) instanceof FaasException e && e.isRetryable()
                && (!e.mayHaveRun() || idempotent);
    }

    /**
     * Whether a failed remote call may run locally instead. Not after the job's own code failed (it would most
     * likely fail again) nor after a cancellation (nobody wants the result any more).
     */
    static boolean fallbackAllowed(FaasException e, JobPolicy policy) {
        return policy.fallbackToLocal() && !(e instanceof FunctionErrorException)
                && !(e instanceof CallCancelledException) && safeToRepeat(e, policy);
    }
}
