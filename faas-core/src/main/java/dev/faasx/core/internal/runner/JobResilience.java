package dev.faasx.core.internal.runner;

import dev.faasx.core.FaasException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.IntervalBiFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The Resilience4j instances of one job, made from its {@link JobPolicy}, and the decoration of a remote call with
 * them. Order, outermost first: retry, circuit breaker, time limiter, bulkhead (Resilience4j's own recommended
 * order), so each attempt is counted by the breaker, limited in time and in concurrency.
 *
 * <p>Every layer's failure is turned into a typed {@link FaasException} before the next layer sees it, so that a
 * breaker config that ignores, say, {@code FunctionErrorException} and the retry rule both see faasx types, never
 * {@code BulkheadFullException} or {@code TimeoutException}.
 */
final class JobResilience {
    private final long jobId;
    private final Retry retry;
    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;
    private final Duration timeLimit;
    private final Bulkhead bulkhead;

    private JobResilience(long jobId, JobPolicy policy) {
        String name = "faasx-job-" + jobId;
        this.jobId = jobId;
        this.retry = policy.retry().map(c -> Retry.of(name, safeRetryConfig(c, policy.idempotent()))).orElse(null);
        this.circuitBreaker = policy.circuitBreaker().map(c -> CircuitBreaker.of(name, c)).orElse(null);
        this.timeLimiter = policy.timeLimiter().map(c -> TimeLimiter.of(name, c)).orElse(null);
        this.timeLimit = policy.timeLimiter().map(c -> c.getTimeoutDuration()).orElse(null);
        this.bulkhead = policy.bulkhead().map(c -> Bulkhead.of(name, c)).orElse(null);
    }

    static JobResilience create(long jobId, JobPolicy policy) {
        return new JobResilience(jobId, policy);
    }

    /** Whether attempts must hand out a copy of the executor's future (the time limiter completes what it gets). */
    boolean limitsTime() {
        return timeLimiter != null;
    }

    /**
     * Runs {@code attempt} (one remote invocation, which never throws) under this job's settings.
     *
     * @return a stage that fails only with a {@link FaasException}
     */
    CompletionStage<Invocation> execute(CallState state, String provider, ScheduledExecutorService scheduler,
                                        Supplier<CompletionStage<Invocation>> attempt) {
        // Typed first: every decorator, the circuit breaker above all, sees faasx's exception types, never what an
        // executor threw raw (an IllegalStateException, say), so recordExceptions(ProviderException.class) works.
        Supplier<CompletionStage<Invocation>> chain = typed(attempt, state, provider, false);
        if (bulkhead != null) {
            chain = typed(Bulkhead.decorateCompletionStage(bulkhead, chain), state, provider, false);
        }
        if (timeLimiter != null) {
            chain = typed(timeLimiter.decorateCompletionStage(scheduler, chain), state, provider, true);
        }
        if (circuitBreaker != null) {
            chain = typed(CircuitBreaker.decorateCompletionStage(circuitBreaker, chain), state, provider, false);
        }
        if (retry != null) {
            chain = Retry.decorateCompletionStage(retry, scheduler, recordingFailures(chain, state));
        }
        return chain.get();
    }

    private Supplier<CompletionStage<Invocation>> typed(Supplier<CompletionStage<Invocation>> inner,
                                                        CallState state, String provider, boolean timeLimited) {
        return () -> {
            CompletableFuture<Invocation> out = new CompletableFuture<>();
            CompletionStage<Invocation> stage;
            try {
                stage = inner.get();
            } catch (RuntimeException e) {
                out.completeExceptionally(Failures.remote(e, provider, jobId, timeLimit));
                return out;
            }
            stage.whenComplete((value, failure) -> {
                if (failure == null) {
                    out.complete(value);
                    return;
                }
                if (timeLimited && Throwables.unwrap(failure) instanceof java.util.concurrent.TimeoutException) {
                    state.cancelRemoteAttempt(); // the limiter abandoned the attempt: stop it too
                }
                out.completeExceptionally(Failures.remote(failure, provider, jobId, timeLimit));
            });
            return out;
        };
    }

    private static Supplier<CompletionStage<Invocation>> recordingFailures(Supplier<CompletionStage<Invocation>> inner,
                                                                         CallState state) {
        return () -> inner.get().whenComplete((value, failure) -> {
            if (Throwables.unwrap(failure) instanceof FaasException e) {
                state.lastAttemptError = e;
                if (e instanceof ThrottledException t) {
                    endIfRetryAfterPassesDeadline(state, t);
                }
            }
        });
    }

    /**
     * A platform's {@code Retry-After} is honoured only up to the call's deadline: when the wait it asks for ends
     * after the deadline, the call ends now with the throttling error instead of waiting for a retry that cannot
     * finish in time.
     */
    private static void endIfRetryAfterPassesDeadline(CallState state, ThrottledException t) {
        Optional<Duration> deadline = state.policy.deadline();
        if (deadline.isEmpty() || t.retryAfter().isEmpty()) {
            return;
        }
        Duration left = deadline.get().minusNanos(System.nanoTime() - state.startNanos);
        Duration asked = t.retryAfter().get();
        if (asked.compareTo(left) > 0) {
            state.endNow(new ThrottledException(t.reason() + "; the platform asked to retry after " + asked
                    + ", past the " + (left.isNegative() ? Duration.ZERO : left) + " left before the deadline of job "
                    + t.jobId().orElse(-1) + ", so it was not retried", asked, t.context(), t));
        }
    }

    /**
     * The user's retry settings with the runner's rule on top: retry only what is safe to retry, and wait at least
     * as long as a throttling platform asked. Built afresh because a RetryConfig cannot take a new interval function
     * once it has one.
     */
    static RetryConfig safeRetryConfig(RetryConfig user, boolean idempotent) {
        Predicate<Throwable> userPredicate = user.getExceptionPredicate();
        IntervalBiFunction<Object> userInterval = user.getIntervalBiFunction();
        RetryConfig.Builder<Object> b = RetryConfig.custom()
                .maxAttempts(user.getMaxAttempts())
                .writableStackTraceEnabled(user.isWritableStackTraceEnabled())
                .failAfterMaxAttempts(user.isFailAfterMaxAttempts())
                .retryOnException(t -> Failures.safeToRetry(t, idempotent) && userPredicate.test(t))
                .intervalBiFunction((Integer attempt, Either<Throwable, Object> outcome) ->
                        honouringRetryAfter(userInterval.apply(attempt, outcome), outcome));
        // The user's result rule is kept: an Invocation it rejects is sent again (only for jobs that may run twice,
        // since the job did run).
        Predicate<Object> resultPredicate = user.getResultPredicate();
        if (resultPredicate != null) {
            b.retryOnResult(result -> idempotent && resultPredicate.test(result));
        }
        if (user.getConsumeResultBeforeRetryAttempt() != null) {
            b.consumeResultBeforeRetryAttempt(user.getConsumeResultBeforeRetryAttempt());
        }
        return b.build();
    }

    private static long honouringRetryAfter(long planned, Either<Throwable, Object> outcome) {
        if (outcome.isLeft() && Throwables.unwrap(outcome.getLeft()) instanceof ThrottledException t
                && t.retryAfter().isPresent()) {
            return Math.max(planned, t.retryAfter().get().toMillis());
        }
        return planned;
    }
}
