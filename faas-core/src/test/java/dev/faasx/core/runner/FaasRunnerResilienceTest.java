package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.call;
import static dev.faasx.core.runner.Calls.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.CircuitOpenException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.Placement;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerResilienceTest {
    private static final ErrorContext CTX = ErrorContext.of("cloud", 7);
    private static final RetryConfig THREE_ATTEMPTS = RetryConfig.custom().maxAttempts(3)
            .waitDuration(Duration.ofMillis(5)).build();

    private final ScriptedExecutor remote = ScriptedExecutor.named("cloud");
    private final RecordingListener listener = new RecordingListener();
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    private JobResult callWith(JobPolicy policy) {
        runner = FaasRunner.builder().withFaasExecutor(7, remote).policy(7, policy).listener(listener)
                .router(JobRouter.builder().route(7, LOCAL_ECHO).build()).build();
        return runner.call(call(7, "c-1", "x")).join();
    }

    private static FaasException errorOf(JobResult result) {
        assertThat(result).isInstanceOf(JobResult.Failure.class);
        return ((JobResult.Failure) result).error();
    }

    private static ThrottledException throttled() {
        return new ThrottledException("rate exceeded", CTX);
    }

    /** Retryable, but the function may have run (a reset while waiting for the answer). */
    private static ProviderException resetAfterSending() {
        return new ProviderException("connection reset", true, true, CTX);
    }

    @Nested
    class Retry {
        @Test
        void aRetryableErrorThatDidNotRunIsRetried() {
            remote.then(ScriptedExecutor.failWith(throttled())).then(ScriptedExecutor.failWith(throttled()));

            JobResult result = callWith(JobPolicy.builder().retry(THREE_ATTEMPTS).build());

            assertThat(result.isSuccess()).isTrue();
            assertThat(result.placement()).isEqualTo(Placement.REMOTE);
            assertThat(remote.invocations).hasValue(3);
            assertThat(listener.eventsOf("c-1")).containsExactly("started c-1", "delegated c-1 cloud",
                    "retrying c-1 2 ThrottledException", "retrying c-1 3 ThrottledException", "succeeded c-1");
        }

        @Test
        void anErrorThatMayHaveRunIsNotRetriedForAJobThatIsNotIdempotent() {
            remote.otherwise(ScriptedExecutor.failWith(resetAfterSending()));

            JobResult result = callWith(JobPolicy.builder().retry(THREE_ATTEMPTS).build());

            assertThat(errorOf(result)).isInstanceOf(ProviderException.class).hasMessageContaining("reset");
            assertThat(remote.invocations).hasValue(1);
        }

        @Test
        void anErrorThatMayHaveRunIsRetriedForAnIdempotentJob() {
            remote.then(ScriptedExecutor.failWith(resetAfterSending()));

            JobResult result = callWith(JobPolicy.builder().retry(THREE_ATTEMPTS).idempotent(true).build());

            assertThat(result.isSuccess()).isTrue();
            assertThat(remote.invocations).hasValue(2);
        }

        @Test
        void aNonRetryableErrorIsNeverRetried() {
            remote.otherwise(ScriptedExecutor.failWith(
                    new FunctionErrorException("bad input", "ValueError", CTX, null)));

            JobResult result = callWith(JobPolicy.builder().retry(THREE_ATTEMPTS).idempotent(true).build());

            assertThat(errorOf(result)).isInstanceOf(FunctionErrorException.class);
            assertThat(remote.invocations).hasValue(1);
        }

        @Test
        void theLastErrorIsReportedWhenAttemptsRunOut() {
            remote.otherwise(ScriptedExecutor.failWith(throttled()));

            JobResult result = callWith(JobPolicy.builder().retry(THREE_ATTEMPTS).build());

            assertThat(errorOf(result)).isInstanceOf(ThrottledException.class);
            assertThat(remote.invocations).hasValue(3);
        }

        @Test
        void theWaitAPlatformAskedForIsHonoured() {
            Duration retryAfter = Duration.ofMillis(300);
            remote.then(ScriptedExecutor.failWith(new ThrottledException("slow down", retryAfter, CTX, null)));

            JobResult result = callWith(JobPolicy.builder().retry(RetryConfig.custom().maxAttempts(2)
                    .waitDuration(Duration.ofMillis(1)).build()).build());

            assertThat(result.isSuccess()).isTrue();
            long waitedNanos = remote.invocationNanos.get(1) - remote.invocationNanos.get(0);
            assertThat(Duration.ofNanos(waitedNanos)).isGreaterThanOrEqualTo(retryAfter.minusMillis(20));
        }

        @Test
        void theConfigsOwnExceptionFilterStillApplies() {
            remote.otherwise(ScriptedExecutor.failWith(throttled()));

            JobResult result = callWith(JobPolicy.builder().retry(RetryConfig.custom().maxAttempts(3)
                    .waitDuration(Duration.ofMillis(1)).ignoreExceptions(ThrottledException.class).build()).build());

            assertThat(errorOf(result)).isInstanceOf(ThrottledException.class);
            assertThat(remote.invocations).hasValue(1);
        }
    }

    @Nested
    class CircuitBreaker {
        private final CircuitBreakerConfig opensAfterFour = CircuitBreakerConfig.custom()
                .slidingWindowSize(4).minimumNumberOfCalls(4).failureRateThreshold(50)
                .waitDurationInOpenState(Duration.ofMinutes(5)).build();

        @Test
        void opensAfterRepeatedFailuresAndThenFailsCallsWithoutSendingThem() {
            remote.otherwise(ScriptedExecutor.failWith(new ProviderException("bad gateway", false, false, CTX)));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().circuitBreaker(opensAfterFour).build()).build();

            for (int i = 0; i < 4; i++) {
                assertThat(errorOf(runner.call(call(7, "c-" + i, "x")).join())).isInstanceOf(ProviderException.class);
            }
            JobResult rejected = runner.call(call(7, "c-open", "x")).join();

            assertThat(errorOf(rejected)).isInstanceOf(CircuitOpenException.class).hasMessageContaining("job 7");
            assertThat(rejected.placement()).isEqualTo(Placement.REMOTE);
            assertThat(remote.invocations).hasValue(4);
        }

        @Test
        void anOpenCircuitFallsBackToTheLocalHandlerWhenAllowed() {
            remote.otherwise(ScriptedExecutor.failWith(new ProviderException("bad gateway", false, true, CTX)));
            runner = FaasRunner.builder().withFaasExecutor(7, remote).listener(listener)
                    .router(JobRouter.builder().route(7, LOCAL_ECHO).build())
                    .policy(7, JobPolicy.builder().circuitBreaker(opensAfterFour).fallbackToLocal(true).build())
                    .build();
            for (int i = 0; i < 4; i++) {
                runner.call(call(7, "c-" + i, "x")).join();
            }

            JobResult result = runner.call(call(7, "c-open", "x")).join();

            assertThat(result.isSuccess()).isTrue();
            assertThat(result.placement()).isEqualTo(Placement.LOCAL_FALLBACK);
            assertThat(result.provider()).isEqualTo("local");
            assertThat(text(result)).isEqualTo("local:x");
            assertThat(listener.eventsOf("c-open")).contains("fallback c-open CircuitOpenException");
            assertThat(remote.invocations).hasValue(4);
        }
    }

    @Nested
    class Fallback {
        @Test
        void aFailureThatDidNotRunFallsBack() {
            remote.otherwise(ScriptedExecutor.failWith(throttled()));

            JobResult result = callWith(JobPolicy.builder().fallbackToLocal(true).build());

            assertThat(result.placement()).isEqualTo(Placement.LOCAL_FALLBACK);
            assertThat(text(result)).isEqualTo("local:x");
        }

        @Test
        void aFailureThatMayHaveRunFallsBackOnlyForIdempotentJobs() {
            remote.otherwise(ScriptedExecutor.failWith(resetAfterSending()));

            JobResult notIdempotent = callWith(JobPolicy.builder().fallbackToLocal(true).build());
            runner.close();
            JobResult idempotent = callWith(JobPolicy.builder().fallbackToLocal(true).idempotent(true).build());

            assertThat(notIdempotent.placement()).isEqualTo(Placement.REMOTE);
            assertThat(errorOf(notIdempotent)).isInstanceOf(ProviderException.class);
            assertThat(idempotent.placement()).isEqualTo(Placement.LOCAL_FALLBACK);
        }

        @Test
        void theJobsOwnFailureDoesNotFallBack() {
            remote.otherwise(ScriptedExecutor.failWith(new FunctionErrorException("bad input", "E", CTX, null)));

            JobResult result = callWith(JobPolicy.builder().fallbackToLocal(true).idempotent(true).build());

            assertThat(result.placement()).isEqualTo(Placement.REMOTE);
            assertThat(errorOf(result)).isInstanceOf(FunctionErrorException.class);
        }

        @Test
        void aFailingFallbackReportsTheLocalErrorCarryingTheRemoteOne() {
            ThrottledException remoteError = throttled();
            remote.otherwise(ScriptedExecutor.failWith(remoteError));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .router(JobRouter.builder().route(7, c -> {
                        throw new IllegalStateException("local copy broken too");
                    }).build())
                    .policy(7, JobPolicy.builder().fallbackToLocal(true).build()).build();

            JobResult result = runner.call(call(7, "c-1", "x")).join();

            assertThat(result.placement()).isEqualTo(Placement.LOCAL_FALLBACK);
            assertThat(errorOf(result)).isInstanceOf(FunctionErrorException.class)
                    .hasMessageContaining("local copy broken too");
            assertThat(errorOf(result).getSuppressed()).containsExactly(remoteError);
        }
    }

    @Nested
    class Bulkhead {
        @Test
        void aFullBulkheadRefusesTheCallWithThrottledWithoutSendingIt() {
            remote.then(ScriptedExecutor::hang);
            runner = FaasRunner.builder().withFaasExecutor(7, remote).policy(7, JobPolicy.builder()
                    .bulkhead(BulkheadConfig.custom().maxConcurrentCalls(1).maxWaitDuration(Duration.ZERO).build())
                    .build()).build();
            CompletableFuture<JobResult> first = runner.call(call(7, "c-1", "x"));

            JobResult second = runner.call(call(7, "c-2", "x")).join();

            assertThat(errorOf(second)).isInstanceOf(ThrottledException.class).hasMessageContaining("bulkhead");
            assertThat(errorOf(second).mayHaveRun()).isFalse();
            assertThat(remote.invocations).hasValue(1);
            assertThat(first).isNotDone();
        }
    }

    @Nested
    class TimeLimiter {
        @Test
        void anAttemptOverItsLimitFailsWithTimeoutAndIsCancelled() {
            remote.otherwise(ScriptedExecutor::hang);

            JobResult result = callWith(JobPolicy.builder()
                    .timeLimiter(TimeLimiterConfig.custom().timeoutDuration(Duration.ofMillis(100)).build()).build());

            assertThat(errorOf(result)).isInstanceOfSatisfying(FaasTimeoutException.class,
                    e -> assertThat(e.timeout()).contains(Duration.ofMillis(100)));
            assertThat(remote.futures()).singleElement().satisfies(f -> assertThat(f).isCancelled());
        }

        @Test
        void timedOutAttemptsOfAnIdempotentJobAreRetried() {
            remote.then(ScriptedExecutor::hang);

            JobResult result = callWith(JobPolicy.builder().idempotent(true).retry(THREE_ATTEMPTS)
                    .timeLimiter(TimeLimiterConfig.custom().timeoutDuration(Duration.ofMillis(100)).build()).build());

            assertThat(result.isSuccess()).isTrue();
            assertThat(remote.invocations).hasValue(2);
            assertThat(remote.futures().get(0)).isCancelled();
        }
    }
}
