package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.call;
import static dev.faasx.core.runner.Calls.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasRegistry;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobQueue;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.NoRouteException;
import dev.faasx.core.Placement;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerRoutingTest {
    private final ScriptedExecutor remote = ScriptedExecutor.named("scripted");
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    private FaasRunner runner(JobRouter router) {
        runner = FaasRunner.builder().router(router).withFaasExecutor(7, remote).build();
        return runner;
    }

    @Nested
    class LocalJobs {
        @Test
        void runOnTheRoutersHandlerWithCallIdMetadataAndMeasuredMetrics() {
            FaasRunner r = runner(JobRouter.builder().route(1, LOCAL_ECHO).build());
            JobCall call = JobCall.builder(1).callId("c-1").body("hi".getBytes()).metadata("trace", "t-9").build();

            JobResult result = r.call(call).join();

            assertThat(result).isInstanceOf(JobResult.Success.class);
            assertThat(result.callId()).isEqualTo("c-1");
            assertThat(result.jobId()).isEqualTo(1);
            assertThat(text(result)).isEqualTo("local:hi");
            assertThat(result.metadata()).isEqualTo(Map.of("trace", "t-9", "ran-on", "local"));
            assertThat(result.placement()).isEqualTo(Placement.LOCAL);
            assertThat(result.provider()).isEqualTo("local");
            assertThat(result.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(result.metrics().executionDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(result.metrics().coldStart().isKnown()).isFalse();
            assertThat(result.metrics().billedDuration().isKnown()).isFalse();
            assertThat(remote.invocations).hasValue(0);
        }

        @Test
        void aThrowingHandlerGivesAFunctionErrorWithItsMessageAndTypeAndTheRunnerGoesOn() {
            FaasRunner r = runner(JobRouter.builder()
                    .route(1, c -> {
                        throw new IllegalStateException("disk full");
                    })
                    .route(2, LOCAL_ECHO)
                    .build());

            JobResult failed = r.call(call(1, "c-1", "x")).join();
            JobResult next = r.call(call(2, "c-2", "y")).join();

            assertThat(failed).isInstanceOfSatisfying(JobResult.Failure.class, f -> {
                assertThat(f.callId()).isEqualTo("c-1");
                assertThat(f.placement()).isEqualTo(Placement.LOCAL);
                assertThat(f.error()).isInstanceOfSatisfying(FunctionErrorException.class, e -> {
                    assertThat(e.reason()).isEqualTo("disk full");
                    assertThat(e.errorType()).contains("java.lang.IllegalStateException");
                    assertThat(e.jobId()).hasValue(1);
                    assertThat(e.provider()).isEqualTo("local");
                });
                assertThat(f.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            });
            assertThat(next.isSuccess()).isTrue();
        }

        @Test
        void aHandlerThatReturnsNullFailsWithAFunctionError() {
            FaasRunner r = runner(JobRouter.builder().route(1, c -> null).build());

            JobResult result = r.call(call(1, "c-1", "x")).join();

            assertThat(result).isInstanceOfSatisfying(JobResult.Failure.class, f ->
                    assertThat(f.error()).isInstanceOf(FunctionErrorException.class)
                            .hasMessageContaining("returned null"));
        }

        @Test
        void callerRunsModeRunsTheHandlerOnTheCallingThread() {
            Thread[] ranOn = new Thread[1];
            runner = FaasRunner.builder().callerRunsLocalHandlers().router(JobRouter.builder().route(1, c -> {
                ranOn[0] = Thread.currentThread();
                return JobOutput.empty();
            }).build()).build();

            CompletableFuture<JobResult> future = runner.call(call(1, "c-1", ""));

            assertThat(future).isDone();
            assertThat(future.join().isSuccess()).isTrue();
            assertThat(ranOn[0]).isSameAs(Thread.currentThread());
        }
    }

    @Nested
    class DelegatedJobs {
        @Test
        void runOnTheExecutorKeepingCallIdMetadataAndTheExecutorsMetrics() {
            FaasRunner r = runner(JobRouter.empty());
            JobCall call = JobCall.builder(7).callId("c-7").body("hi".getBytes()).metadata("trace", "t-1").build();

            JobResult result = r.call(call).join();

            assertThat(result).isInstanceOf(JobResult.Success.class);
            assertThat(result.callId()).isEqualTo("c-7");
            assertThat(text(result)).isEqualTo("remote:hi");
            assertThat(result.metadata()).isEqualTo(Map.of("trace", "t-1", "ran-on", "scripted"));
            assertThat(result.placement()).isEqualTo(Placement.REMOTE);
            assertThat(result.provider()).isEqualTo("scripted");
            assertThat(result.metrics()).isEqualTo(ScriptedExecutor.METRICS);
        }

        @Test
        void theRegistryWinsOverALocalHandlerForTheSameJob() {
            FaasRunner r = runner(JobRouter.builder().route(7, LOCAL_ECHO).build());

            JobResult result = r.call(call(7, "c-1", "x")).join();

            assertThat(result.placement()).isEqualTo(Placement.REMOTE);
            assertThat(text(result)).isEqualTo("remote:x");
        }

        @Test
        void aGivenRegistryIsUsedAndExposed() {
            FaasRegistry registry = FaasRegistry.create();
            registry.register(3, remote);
            runner = FaasRunner.builder().registry(registry).withFaasExecutor(7, remote).build();

            assertThat(runner.registry()).isSameAs(registry);
            assertThat(registry.isDelegated(7)).isTrue();
            assertThat(runner.call(call(3, "c-3", "x")).join().placement()).isEqualTo(Placement.REMOTE);
        }

        static Stream<FaasException> platformErrors() {
            ErrorContext ctx = ErrorContext.builder("scripted").jobId(7).status(503).build();
            return Stream.of(
                    new ThrottledException("slow down", Duration.ofSeconds(1), ctx, null),
                    new FunctionNotFoundException("no such function", ctx),
                    new AccessDeniedException("bad key", ctx),
                    new FunctionErrorException("ValueError: bad input", "ValueError", ctx, null),
                    new ProviderException("bad gateway", true, true, ctx),
                    new ProtocolException("result is not JSON", ctx));
        }

        @ParameterizedTest
        @MethodSource("platformErrors")
        void aRemoteFailureKeepsTheExecutorsTypedError(FaasException error) {
            remote.then(ScriptedExecutor.failWith(error));
            FaasRunner r = runner(JobRouter.empty());

            JobResult result = r.call(call(7, "c-1", "x")).join();

            assertThat(result).isInstanceOfSatisfying(JobResult.Failure.class, f -> {
                assertThat(f.error()).isSameAs(error);
                assertThat(f.placement()).isEqualTo(Placement.REMOTE);
                assertThat(f.provider()).isEqualTo("scripted");
                assertThat(f.callId()).isEqualTo("c-1");
                assertThat(f.metadata()).isEmpty();
            });
        }

        @Test
        void anExecutorFailingWithAnUntypedErrorGivesAProviderException() {
            IOException cause = new IOException("connection reset");
            remote.then(c -> CompletableFuture.failedFuture(cause));
            FaasRunner r = runner(JobRouter.empty());

            JobResult result = r.call(call(7, "c-1", "x")).join();

            assertThat(((JobResult.Failure) result).error()).isInstanceOfSatisfying(ProviderException.class, e -> {
                assertThat(e).hasCause(cause).hasMessageContaining("connection reset");
                assertThat(e.provider()).isEqualTo("scripted");
                assertThat(e.isRetryable()).isFalse();
                assertThat(e.mayHaveRun()).isTrue();
            });
        }

        @Test
        void anExecutorThatThrowsOrReturnsNoFutureStillGivesOneTypedFailure() {
            remote.then(c -> {
                throw new IllegalArgumentException("bug in executor");
            }).then(c -> null);
            FaasRunner r = runner(JobRouter.empty());

            JobResult thrown = r.call(call(7, "c-1", "x")).join();
            JobResult noFuture = r.call(call(7, "c-2", "x")).join();

            assertThat(((JobResult.Failure) thrown).error()).isInstanceOf(ProviderException.class)
                    .hasRootCauseInstanceOf(IllegalArgumentException.class);
            assertThat(((JobResult.Failure) noFuture).error()).isInstanceOf(ProviderException.class)
                    .hasMessageContaining("no future");
        }
    }

    @Nested
    class UnroutedJobs {
        @Test
        void failWithNoRouteExceptionThatNamesTheJob() {
            FaasRunner r = runner(JobRouter.builder().route(1, LOCAL_ECHO).build());

            JobResult result = r.call(call(99, "c-99", "x")).join();

            assertThat(result).isInstanceOfSatisfying(JobResult.Failure.class, f -> {
                assertThat(f.placement()).isEqualTo(Placement.NOT_RUN);
                assertThat(f.error()).isInstanceOf(NoRouteException.class)
                        .hasMessageContaining("job 99")
                        .hasMessageContaining("no local handler")
                        .hasMessageContaining("no executor");
                assertThat(f.error().mayHaveRun()).isFalse();
            });
        }
    }

    @Nested
    class RegistryChangesWhileRunning {
        @Test
        void eachCallLooksTheJobUpWhenItStarts() throws Exception {
            JobQueue queue = JobQueue.withCapacity(8);
            RecordingConsumer consumer = new RecordingConsumer();
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(queue).consumer(consumer).build();
            runner.start();

            queue.put(call(1, "before", "a"));
            Await.until("first result", () -> consumer.count() == 1);
            runner.registry().register(1, remote);
            queue.put(call(1, "delegated", "b"));
            Await.until("second result", () -> consumer.count() == 2);
            runner.registry().unregister(1);
            queue.put(call(1, "after", "c"));
            queue.close();

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.results()).extracting(JobResult::callId, JobResult::placement).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("before", Placement.LOCAL),
                    org.assertj.core.groups.Tuple.tuple("delegated", Placement.REMOTE),
                    org.assertj.core.groups.Tuple.tuple("after", Placement.LOCAL));
        }
    }
}
