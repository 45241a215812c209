package dev.faasx.core;

import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * How a {@link FaasRunner} runs the calls of one job: a deadline for the whole call, and the Resilience4j settings
 * that guard delegated (remote) calls. Give the runner a default policy and, where a job needs something else, a
 * policy for that job id; a job's own policy replaces the default entirely (start from
 * {@code defaults.toBuilder()} to change one setting).
 *
 * <ul>
 *   <li><b>deadline</b> — the longest a call may take from its start to its result, retries and fallback
 *       included. When it passes the call fails with {@link FaasTimeoutException}; a local handler's thread is
 *       interrupted and a remote invocation's future is cancelled. Applies to local and remote calls. None by
 *       default (executors enforce their own timeouts).</li>
 *   <li><b>idempotent</b> — running the job twice is harmless. Only then does the runner retry, or fall back
 *       after, an error that {@linkplain FaasException#mayHaveRun() may have run} the function.</li>
 *   <li><b>retry</b> — how often and how long apart to retry a remote call. Only errors that are safe to retry are
 *       retried: {@code error.isRetryable() && (!error.mayHaveRun() || idempotent)}, further narrowed by the
 *       config's own exception predicate. A {@link ThrottledException#retryAfter()} is honoured as the least
 *       wait.</li>
 *   <li><b>circuitBreaker</b> — stops sending calls to a failing platform; an open circuit fails the call with
 *       {@link CircuitOpenException} (or falls back).</li>
 *   <li><b>timeLimiter</b> — a limit per remote attempt; an attempt that exceeds it fails with
 *       {@link FaasTimeoutException} and its invocation is cancelled.</li>
 *   <li><b>bulkhead</b> — the most concurrent remote calls of this job; a call over the limit fails with
 *       {@link ThrottledException} (and is retried if a retry is configured). Its {@code maxWaitDuration} must be
 *       zero (a config with a wait is refused): a wait would block a runner thread, and the runner's own
 *       back-pressure ({@code maxInFlight}) is where calls wait.</li>
 *   <li><b>fallbackToLocal</b> — when the remote call fails (after retries) or its circuit is open, run the
 *       job's local handler instead, if the router has one. Only for failures where the job certainly did not
 *       run, or might have and the job is idempotent; never for a {@link FunctionErrorException} (the job's own
 *       code failed) or a cancelled call. The result then says {@link Placement#LOCAL_FALLBACK}.</li>
 * </ul>
 *
 * <p>Resilience settings apply to delegated calls only; a local handler is run once. The runner creates one
 * Resilience4j instance of each kind per job id, lazily, so every call of a job shares one circuit breaker and
 * one bulkhead.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * JobPolicy resize = JobPolicy.builder()
 *     .deadline(Duration.ofSeconds(30))
 *     .idempotent(true)
 *     .retry(RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(200)).build())
 *     .circuitBreaker(CircuitBreakerConfig.ofDefaults())
 *     .fallbackToLocal(true)
 *     .build();
 * }</pre>
 *
 * @param deadline        the longest a whole call may take
 * @param idempotent      whether running the job twice is harmless
 * @param retry           retry settings for remote calls
 * @param circuitBreaker  circuit breaker settings for remote calls
 * @param timeLimiter     time limit per remote attempt
 * @param bulkhead        concurrency limit for remote calls
 * @param fallbackToLocal whether a failed remote call falls back to the local handler
 */
public record JobPolicy(
        Optional<Duration> deadline,
        boolean idempotent,
        Optional<RetryConfig> retry,
        Optional<CircuitBreakerConfig> circuitBreaker,
        Optional<TimeLimiterConfig> timeLimiter,
        Optional<BulkheadConfig> bulkhead,
        boolean fallbackToLocal) {

    private static final JobPolicy DEFAULTS = builder().build();

    public JobPolicy {
        deadline = orEmpty(deadline);
        retry = orEmpty(retry);
        circuitBreaker = orEmpty(circuitBreaker);
        timeLimiter = orEmpty(timeLimiter);
        bulkhead = orEmpty(bulkhead);
        deadline.ifPresent(d -> {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("deadline must be positive, was " + d);
            }
        });
    }

    /** No deadline, not idempotent, no retry, circuit breaker, time limiter or bulkhead, no fallback. */
    public static JobPolicy defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this policy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.deadline = deadline.orElse(null);
        b.idempotent = idempotent;
        b.retry = retry.orElse(null);
        b.circuitBreaker = circuitBreaker.orElse(null);
        b.timeLimiter = timeLimiter.orElse(null);
        b.bulkhead = bulkhead.orElse(null);
        b.fallbackToLocal = fallbackToLocal;
        return b;
    }

    /** Whether any Resilience4j setting is present. */
    public boolean hasResilience() {
        return retry.isPresent() || circuitBreaker.isPresent() || timeLimiter.isPresent() || bulkhead.isPresent();
    }

    private static <T> Optional<T> orEmpty(Optional<T> value) {
        return value == null ? Optional.empty() : value;
    }

    /** Builds a {@link JobPolicy}; settings that are not set are absent. Not thread-safe. */
    public static final class Builder {
        private Duration deadline;
        private boolean idempotent;
        private RetryConfig retry;
        private CircuitBreakerConfig circuitBreaker;
        private TimeLimiterConfig timeLimiter;
        private BulkheadConfig bulkhead;
        private boolean fallbackToLocal;

        private Builder() {
        }

        /** The longest a whole call may take; {@code null} for none. */
        public Builder deadline(Duration value) {
            this.deadline = value;
            return this;
        }

        public Builder idempotent(boolean value) {
            this.idempotent = value;
            return this;
        }

        /** Retry settings; {@code null} for no retry. */
        public Builder retry(RetryConfig value) {
            this.retry = value;
            return this;
        }

        /** Circuit breaker settings; {@code null} for none. */
        public Builder circuitBreaker(CircuitBreakerConfig value) {
            this.circuitBreaker = value;
            return this;
        }

        /** Time limit per remote attempt; {@code null} for none. */
        public Builder timeLimiter(TimeLimiterConfig value) {
            this.timeLimiter = value;
            return this;
        }

        /**
         * Concurrency limit for remote calls; {@code null} for none.
         *
         * @throws IllegalArgumentException when its {@code maxWaitDuration} is not zero
         */
        public Builder bulkhead(BulkheadConfig value) {
            if (value != null && !value.getMaxWaitDuration().isZero()) {
                throw new IllegalArgumentException("bulkhead maxWaitDuration must be zero, was "
                        + value.getMaxWaitDuration() + ": a waiting bulkhead would block a runner thread; calls wait "
                        + "in the runner's own back-pressure (maxInFlight) instead");
            }
            this.bulkhead = value;
            return this;
        }

        public Builder fallbackToLocal(boolean value) {
            this.fallbackToLocal = value;
            return this;
        }

        public JobPolicy build() {
            return new JobPolicy(Optional.ofNullable(deadline), idempotent, Optional.ofNullable(retry),
                    Optional.ofNullable(circuitBreaker), Optional.ofNullable(timeLimiter),
                    Optional.ofNullable(bulkhead), fallbackToLocal);
        }
    }
}
