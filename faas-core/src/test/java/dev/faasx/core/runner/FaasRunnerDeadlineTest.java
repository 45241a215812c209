package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.blockUntilInterrupted;
import static dev.faasx.core.runner.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FaasRunner;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.Placement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerDeadlineTest {
    private static final Duration SHORT = Duration.ofMillis(100);
    private static final JobPolicy SHORT_DEADLINE = JobPolicy.builder().deadline(SHORT).build();

    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    private static FaasTimeoutException timeoutOf(JobResult result) {
        assertThat(result).isInstanceOf(JobResult.Failure.class);
        assertThat(((JobResult.Failure) result).error()).isInstanceOf(FaasTimeoutException.class);
        return (FaasTimeoutException) ((JobResult.Failure) result).error();
    }

    @Nested
    class LocalHandlers {
        @Test
        void aHandlerPastItsDeadlineFailsWithTimeoutAndItsThreadIsInterrupted() {
            runner = FaasRunner.builder().defaultPolicy(SHORT_DEADLINE)
                    .router(JobRouter.builder().route(1, blockUntilInterrupted(started, interrupted)).build())
                    .build();

            JobResult result = runner.call(call(1, "c-1", "")).join();

            FaasTimeoutException error = timeoutOf(result);
            assertThat(error.timeout()).contains(SHORT);
            assertThat(error).hasMessageContaining("job 1").hasMessageContaining("deadline");
            assertThat(result.placement()).isEqualTo(Placement.LOCAL);
            assertThat(result.provider()).isEqualTo("local");
            Await.until("the handler sees the interrupt", () -> interrupted.get() == 1);
        }

        @Test
        void inCallerRunsModeTheCallersThreadIsInterruptedAndLeftClean() {
            runner = FaasRunner.builder().defaultPolicy(SHORT_DEADLINE).callerRunsLocalHandlers()
                    .router(JobRouter.builder().route(1, blockUntilInterrupted(started, interrupted)).build())
                    .build();

            JobResult result = runner.call(call(1, "c-1", "")).join();

            timeoutOf(result);
            assertThat(interrupted).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }

        @Test
        void aCallStillQueuedAtItsDeadlineNeverRunsAndSaysSo() {
            runner = FaasRunner.builder().localThreads(1)
                    .policy(2, SHORT_DEADLINE)
                    .router(JobRouter.builder()
                            .route(1, blockUntilInterrupted(started, interrupted))
                            .route(2, c -> {
                                throw new AssertionError("must not run");
                            })
                            .build())
                    .build();
            CompletableFuture<JobResult> blocker = runner.call(call(1, "blocker", ""));
            Await.until("the only local thread is busy", () -> started.get() == 1);

            JobResult queued = runner.call(call(2, "queued", "")).join();

            timeoutOf(queued);
            assertThat(queued.placement()).isEqualTo(Placement.NOT_RUN);
            blocker.cancel(true);
        }

        @Test
        void aJobsOwnPolicyOverridesTheDefaultDeadline() {
            runner = FaasRunner.builder()
                    .defaultPolicy(JobPolicy.builder().deadline(Duration.ofMinutes(5)).build())
                    .policy(2, SHORT_DEADLINE)
                    .router(JobRouter.builder()
                            .route(1, LOCAL_ECHO)
                            .route(2, blockUntilInterrupted(started, interrupted))
                            .build())
                    .build();

            assertThat(runner.call(call(1, "fast", "")).join().isSuccess()).isTrue();
            timeoutOf(runner.call(call(2, "slow", "")).join());
        }

        @Test
        void aCallThatBeatsItsDeadlineSucceedsAndLeavesNoInterruptBehind() {
            runner = FaasRunner.builder().callerRunsLocalHandlers()
                    .defaultPolicy(JobPolicy.builder().deadline(Duration.ofSeconds(30)).build())
                    .router(JobRouter.builder().route(1, LOCAL_ECHO).build()).build();

            for (int i = 0; i < 50; i++) {
                assertThat(runner.call(call(1, "c-" + i, "x")).join().isSuccess()).isTrue();
            }

            assertThat(Thread.currentThread().isInterrupted()).isFalse();
        }
    }

    @Nested
    class RemoteCalls {
        @Test
        void anInvocationPastItsDeadlineFailsWithTimeoutAndItsFutureIsCancelled() {
            ScriptedExecutor remote = ScriptedExecutor.named("slow-cloud").otherwise(ScriptedExecutor::hang);
            runner = FaasRunner.builder().withFaasExecutor(7, remote).defaultPolicy(SHORT_DEADLINE).build();

            JobResult result = runner.call(call(7, "c-7", "")).join();

            FaasTimeoutException error = timeoutOf(result);
            assertThat(error.provider()).isEqualTo("slow-cloud");
            assertThat(result.placement()).isEqualTo(Placement.REMOTE);
            assertThat(result.provider()).isEqualTo("slow-cloud");
            assertThat(remote.futures()).singleElement().satisfies(f -> assertThat(f).isCancelled());
        }
    }
}
