package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.CircuitOpenException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobQueue;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.Placement;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProviderException;
import dev.faasx.core.RunnerListener;
import dev.faasx.core.ThrottledException;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Paths on which the runner once broke its promise of exactly one result, on time, for every call. */
@Timeout(60)
class FaasRunnerHardeningTest {
    private static final ErrorContext CTX = ErrorContext.of("cloud", 7);

    private final ScriptedExecutor remote = ScriptedExecutor.named("cloud");
    private final RecordingListener listener = new RecordingListener();
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    private static FaasException errorOf(JobResult result) {
        assertThat(result).isInstanceOf(JobResult.Failure.class);
        return ((JobResult.Failure) result).error();
    }

    @Nested
    class TimersOnlyTrigger {
        @Test
        void aSlowListenerOnARetryDoesNotDelayAnotherCallsDeadline() {
            RunnerListener slowOnRetry = new RunnerListener() {
                @Override
                public void callRetrying(JobCall c, int attempt, FaasException cause) {
                    sleep(1500);
                }
            };
            ScriptedExecutor hanging = ScriptedExecutor.named("slow").otherwise(ScriptedExecutor::hang);
            remote.then(ScriptedExecutor.failWith(new ThrottledException("busy", CTX)));
            runner = FaasRunner.builder().listener(slowOnRetry)
                    .withFaasExecutor(7, remote).withFaasExecutor(8, hanging)
                    .policy(7, JobPolicy.builder().retry(RetryConfig.custom().maxAttempts(2)
                            .waitDuration(Duration.ofMillis(10)).build()).build())
                    .policy(8, JobPolicy.builder().deadline(Duration.ofMillis(100)).build())
                    .build();

            CompletableFuture<JobResult> retried = runner.call(call(7, "r", "x"));
            sleep(50); // the retry's listener now sleeps; it must not sleep on the timer thread
            CompletableFuture<JobResult> timed = runner.call(call(8, "d", "x"));

            JobResult result = timed.join();
            assertThat(errorOf(result)).isInstanceOf(FaasTimeoutException.class);
            assertThat(result.elapsed().value().orElseThrow()).isLessThan(Duration.ofMillis(900));
            assertThat(retried.join().isSuccess()).isTrue();
        }

        @Test
        void aRetriedAttemptRunsOffTheTimerThread() {
            List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            remote.then(ScriptedExecutor.failWith(new ThrottledException("busy", CTX))).otherwise(c -> {
                threads.add(Thread.currentThread().getName());
                return ScriptedExecutor.echo(c);
            });
            runner = FaasRunner.builder().name("hard").withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().retry(RetryConfig.custom().maxAttempts(2)
                            .waitDuration(Duration.ofMillis(5)).build()).build()).build();

            JobResult result = runner.call(call(7, "r", "x")).join();

            assertThat(result.isSuccess()).isTrue();
            assertThat(threads).singleElement().satisfies(name -> assertThat(name).doesNotContain("timer"));
        }
    }

    /** A consumer that counts what it got, then ignores interrupts and never returns until {@code never} opens. */
    private static dev.faasx.core.JobConsumer stuck(AtomicInteger accepted, CountDownLatch never) {
        return r -> {
            accepted.incrementAndGet();
            while (true) {
                try {
                    never.await();
                    return;
                } catch (InterruptedException e) {
                    // ignored on purpose
                }
            }
        };
    }

    @Nested
    class CloseWithAStuckConsumer {
        @Test
        void closeReturnsAndReportsWhatTheConsumerNeverTook() throws Exception {
            CountDownLatch never = new CountDownLatch(1);
            AtomicInteger accepted = new AtomicInteger();
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(JobProducer.of(List.of(call(1, "a", "1"), call(1, "b", "2"), call(1, "c", "3"))))
                    .consumer(stuck(accepted, never))
                    .listener(listener).shutdownGrace(Duration.ofMillis(100)).build();
            runner.start();
            Await.until("the consumer is stuck", () -> accepted.get() == 1);

            long begin = System.nanoTime();
            runner.close();

            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
            assertThat(runner.isTerminated()).isTrue();
            // The close may land before the producer's last calls were taken; every call the runner took (the one the
            // consumer is stuck on included) has a result that was never delivered, and each is reported.
            long taken = listener.events.stream().filter(e -> e.startsWith("started ")).count();
            assertThat(taken).isBetween(1L, 3L);
            Await.until("every undelivered result is reported", () -> listener.consumerErrors.size() == taken);
            assertThat(listener.consumerErrors).allSatisfy(e -> assertThat(e)
                    .isInstanceOf(CallCancelledException.class).hasMessageContaining("not delivered"));
            never.countDown();
        }

        @Test
        void anInterruptedCloseReturnsAtOnce() throws Exception {
            CountDownLatch never = new CountDownLatch(1);
            AtomicInteger accepted = new AtomicInteger();
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(JobProducer.of(List.of(call(1, "a", "1"))))
                    .consumer(stuck(accepted, never))
                    .listener(listener).shutdownGrace(Duration.ofMinutes(10)).build();
            runner.start();
            Await.until("the consumer is stuck", () -> accepted.get() == 1);
            AtomicReference<Boolean> interruptKept = new AtomicReference<>();
            Thread closer = new Thread(() -> {
                runner.close();
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            closer.start();
            sleep(100);
            long begin = System.nanoTime();
            closer.interrupt();
            closer.join(TimeUnit.SECONDS.toMillis(10));

            assertThat(closer.isAlive()).as("close() still waiting").isFalse();
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
            assertThat(interruptKept.get()).isTrue();
            assertThat(listener.consumerErrors).hasSize(1);
            never.countDown();
        }
    }

    @Nested
    class TheCallersFuture {
        @Test
        void orTimeoutIsARealCancellationWithOneResult() {
            runner = FaasRunner.builder().withFaasExecutor(7, remote.otherwise(ScriptedExecutor::hang))
                    .listener(listener).build();

            CompletableFuture<JobResult> f = runner.call(call(7, "t", "x")).orTimeout(50, TimeUnit.MILLISECONDS);
            JobResult result = f.join();

            assertThat(errorOf(result)).isInstanceOf(FaasTimeoutException.class)
                    .hasMessageContaining("caller's own timeout");
            Await.until("the remote attempt is cancelled", () -> remote.futures().get(0).isCancelled());
            Await.until("the listeners saw the result", () -> listener.finished.size() == 1);
            assertThat(listener.finished).containsExactly(result);
        }

        @Test
        void completingItMakesThatTheOneResult() {
            runner = FaasRunner.builder().withFaasExecutor(7, remote.otherwise(ScriptedExecutor::hang))
                    .listener(listener).build();
            JobCall c = call(7, "c", "x");
            CompletableFuture<JobResult> f = runner.call(c);
            JobResult mine = JobResult.failure(c, new CallCancelledException("not needed", CTX), Placement.NOT_RUN,
                    "cloud", dev.faasx.core.InvocationMetrics.unknown());

            assertThatThrownBy(() -> f.complete(JobResult.failure(call(7, "other", "x"),
                    new CallCancelledException("x", CTX), Placement.NOT_RUN, "cloud",
                    dev.faasx.core.InvocationMetrics.unknown()))).isInstanceOf(IllegalArgumentException.class);
            assertThat(f.complete(mine)).isTrue();
            assertThat(f.join()).isSameAs(mine);
            assertThat(listener.finished).containsExactly(mine);
            assertThat(remote.futures().get(0).isCancelled()).isTrue();
            assertThat(f.complete(mine)).isFalse();
        }

        @Test
        void obtrudingIsRefused() {
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build()).build();
            CompletableFuture<JobResult> f = runner.call(call(1, "o", "x"));
            assertThatThrownBy(() -> f.obtrudeException(new RuntimeException()))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThat(f.join().isSuccess()).isTrue();
        }
    }

    @Nested
    class TypedBeforeResilience {
        @Test
        void theCircuitBreakerOpensOnAnExecutorThatThrowsUntypedExceptions() {
            remote.otherwise(c -> CompletableFuture.failedFuture(new IllegalStateException("executor bug")));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().circuitBreaker(CircuitBreakerConfig.custom()
                            .recordExceptions(ProviderException.class).slidingWindowSize(4).minimumNumberOfCalls(4)
                            .failureRateThreshold(50).build()).build()).build();

            List<JobResult> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                results.add(runner.call(call(7, "cb-" + i, "x")).join());
            }

            assertThat(errorOf(results.get(0))).isInstanceOf(ProviderException.class);
            assertThat(errorOf(results.get(5))).isInstanceOf(CircuitOpenException.class);
            assertThat(remote.invocations).hasValue(4);
        }
    }

    @Nested
    class EveryPathEndsInAResult {
        @Test
        void aLocalExecutorThatThrowsOnTheFallbackStillEndsTheCall() {
            remote.otherwise(ScriptedExecutor.failWith(new ThrottledException("busy", CTX)));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .router(JobRouter.builder().route(7, LOCAL_ECHO).build())
                    .localExecutor(task -> {
                        throw new IllegalStateException("my executor is closed");
                    })
                    .policy(7, JobPolicy.builder().fallbackToLocal(true).build()).build();

            JobResult result = runner.call(call(7, "f", "x")).join();

            assertThat(errorOf(result)).isInstanceOf(ProviderException.class)
                    .hasMessageContaining("local executor failed");
        }
    }

    @Nested
    class BoundedWork {
        @Test
        void directCallsOverTheLimitFailAtOnceWithoutRunning() {
            runner = FaasRunner.builder().withFaasExecutor(7, remote.otherwise(ScriptedExecutor::hang))
                    .maxDirectCalls(2).listener(listener).build();
            CompletableFuture<JobResult> a = runner.call(call(7, "a", "x"));
            CompletableFuture<JobResult> b = runner.call(call(7, "b", "x"));
            JobResult third = runner.call(call(7, "c", "x")).join();

            assertThat(errorOf(third)).isInstanceOf(ThrottledException.class).hasMessageContaining("maxDirectCalls");
            assertThat(third.placement()).isEqualTo(Placement.NOT_RUN);
            assertThat(remote.invocations).hasValue(2);
            a.cancel(true);
            assertThat(runner.call(call(7, "d", "x")).isDone()).isFalse(); // a's place is free again
            assertThat(b.isDone()).isFalse();
        }

        @Test
        void closingAQueueReleasesABlockedPutAtOnce() throws Exception {
            JobQueue queue = JobQueue.withCapacity(1);
            queue.put(call(1, "a", "x"));
            AtomicReference<Throwable> putFailure = new AtomicReference<>();
            Thread putter = new Thread(() -> {
                try {
                    queue.put(call(1, "b", "x"));
                } catch (Throwable t) {
                    putFailure.set(t);
                }
            });
            putter.start();
            Await.until("the put blocks", () -> putter.getState() == Thread.State.WAITING);
            long begin = System.nanoTime();
            queue.close();
            putter.join(5000);

            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(2));
            assertThat(putFailure.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
            assertThat(queue.next()).isPresent();
            assertThat(queue.next()).isEmpty();
        }

        @Test
        void aBulkheadThatWaitsIsRefused() {
            assertThatThrownBy(() -> JobPolicy.builder().bulkhead(BulkheadConfig.custom()
                    .maxWaitDuration(Duration.ofMillis(10)).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWaitDuration");
        }
    }

    @Nested
    class RetrySettings {
        @Test
        void aRetryAfterPastTheDeadlineEndsTheCallAtOnce() {
            remote.otherwise(ScriptedExecutor.failWith(new ThrottledException("slow down", Duration.ofSeconds(30),
                    CTX, null)));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().deadline(Duration.ofSeconds(5))
                            .retry(RetryConfig.custom().maxAttempts(3).build()).build()).build();

            JobResult result = runner.call(call(7, "ra", "x")).join();

            assertThat(errorOf(result)).isInstanceOf(ThrottledException.class).hasMessageContaining("not retried");
            assertThat(result.elapsed().value().orElseThrow()).isLessThan(Duration.ofSeconds(4));
            assertThat(remote.invocations).hasValue(1);
        }

        @Test
        void theUsersResultRuleIsKeptForIdempotentJobs() {
            AtomicInteger n = new AtomicInteger();
            remote.otherwise(c -> ScriptedExecutor.echo(JobCall.builder(7).callId(c.callId())
                    .body(("try" + n.incrementAndGet()).getBytes()).build()));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().idempotent(true).retry(RetryConfig.<Object>custom().maxAttempts(3)
                            .waitDuration(Duration.ofMillis(1))
                            .retryOnResult(r -> !new String(((Invocation) r).output().body()).endsWith("try3"))
                            .build()).build()).build();

            JobResult result = runner.call(call(7, "rr", "x")).join();

            assertThat(Calls.text(result)).isEqualTo("remote:try3");
            assertThat(result.attempts()).isEqualTo(3);
        }
    }

    @Nested
    class WholeCallFigures {
        @Test
        void theResultCountsEveryAttemptAndTheWholeCall() {
            remote.then(ScriptedExecutor.failWith(new ThrottledException("busy", CTX)));
            runner = FaasRunner.builder().withFaasExecutor(7, remote)
                    .policy(7, JobPolicy.builder().retry(RetryConfig.custom().maxAttempts(2)
                            .waitDuration(Duration.ofMillis(200)).build()).build()).build();

            JobResult result = runner.call(call(7, "w", "x")).join();

            assertThat(result.attempts()).isEqualTo(2);
            assertThat(result.elapsed().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(result.elapsed().value().orElseThrow()).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            // the last attempt's own figures are the executor's, untouched
            assertThat(result.metrics()).isEqualTo(ScriptedExecutor.METRICS);
        }

        @Test
        void aLocalCallHasNoAttempts() {
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build()).build();
            JobResult result = runner.call(call(1, "l", "x")).join();
            assertThat(result.attempts()).isZero();
            assertThat(result.elapsed().isKnown()).isTrue();
        }
    }

    @Nested
    class Serialization {
        @Test
        void aFaasExceptionSurvivesJavaSerialization() throws Exception {
            FaasException e = new ThrottledException("rate exceeded", Duration.ofSeconds(3),
                    ErrorContext.builder("aws-lambda").jobId(7).requestId("r-1").status(429).build(), null);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(e);
            }
            FaasException back;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                back = (FaasException) in.readObject();
            }
            assertThat(back.getMessage()).isEqualTo(e.getMessage());
            assertThat(back.requestId()).contains("r-1");
            assertThat(((ThrottledException) back).retryAfter()).contains(Duration.ofSeconds(3));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
