package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.blockUntilInterrupted;
import static dev.faasx.core.runner.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobQueue;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.Placement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerShutdownTest {
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger interrupted = new AtomicInteger();
    private final RecordingConsumer consumer = new RecordingConsumer();
    private final RecordingListener listener = new RecordingListener();
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    /** An endless producer: only shutdown stops the pulling. */
    static final class EndlessProducer implements JobProducer {
        final AtomicInteger pulls = new AtomicInteger();
        private final long jobId;

        EndlessProducer(long jobId) {
            this.jobId = jobId;
        }

        @Override
        public Optional<JobCall> next() {
            return Optional.of(call(jobId, "c-" + pulls.incrementAndGet(), "x"));
        }
    }

    private static void assertEachCallExactlyOnce(List<JobResult> results, int pulls) {
        assertThat(results).hasSize(pulls);
        assertThat(results).extracting(JobResult::callId).doesNotHaveDuplicates();
    }

    @Nested
    class WithinTheGracePeriod {
        @Test
        void callsInFlightFinishNormallyAndNoMoreArePulled() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            EndlessProducer producer = new EndlessProducer(1);
            runner = FaasRunner.builder().maxInFlight(4).localThreads(4).router(JobRouter.builder().route(1, c -> {
                started.incrementAndGet();
                release.await();
                return JobOutput.of("done".getBytes());
            }).build()).producer(producer).consumer(consumer).build();
            runner.start();
            Await.until("four calls running", () -> started.get() == 4);

            runner.shutdown(Duration.ofMinutes(1));
            assertThat(runner.isShutdown()).isTrue();
            release.countDown();

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.results()).hasSize(4).allSatisfy(r -> assertThat(r.isSuccess()).isTrue());
            assertThat(producer.pulls).hasValue(4);
        }
    }

    @Nested
    class PastTheGracePeriod {
        @Test
        void localCallsStillRunningFailWithCallCancelledExactlyOnceAndAreInterrupted() throws Exception {
            EndlessProducer producer = new EndlessProducer(1);
            runner = FaasRunner.builder().maxInFlight(4).localThreads(4)
                    .router(JobRouter.builder().route(1, blockUntilInterrupted(started, interrupted)).build())
                    .producer(producer).consumer(consumer).listener(listener).build();
            runner.start();
            Await.until("four calls running", () -> started.get() == 4);

            runner.shutdown(Duration.ofMillis(100));

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertEachCallExactlyOnce(consumer.results(), producer.pulls.get());
            assertThat(consumer.results()).hasSize(4).allSatisfy(r -> {
                assertThat(((JobResult.Failure) r).error()).isInstanceOf(CallCancelledException.class)
                        .hasMessageContaining("grace period");
                assertThat(r.placement()).isEqualTo(Placement.LOCAL);
            });
            Await.until("every handler interrupted", () -> interrupted.get() == 4);
            assertThat(listener.finished).hasSize(4);
        }

        @Test
        void remoteCallsStillRunningFailWithCallCancelledAndTheirFuturesAreCancelled() throws Exception {
            ScriptedExecutor remote = ScriptedExecutor.named("cloud").otherwise(ScriptedExecutor::hang);
            EndlessProducer producer = new EndlessProducer(7);
            runner = FaasRunner.builder().maxInFlight(5).withFaasExecutor(7, remote)
                    .producer(producer).consumer(consumer).build();
            runner.start();
            Await.until("five invocations", () -> remote.invocations.get() == 5);

            runner.shutdown(Duration.ZERO);

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertEachCallExactlyOnce(consumer.results(), producer.pulls.get());
            assertThat(consumer.results()).hasSize(5).allSatisfy(r -> {
                assertThat(((JobResult.Failure) r).error()).isInstanceOf(CallCancelledException.class);
                assertThat(r.placement()).isEqualTo(Placement.REMOTE);
                assertThat(r.provider()).isEqualTo("cloud");
            });
            assertThat(remote.futures()).hasSize(5).allSatisfy(f -> assertThat(f).isCancelled());
        }

        @Test
        void someFinishInTimeAndTheRestAreCancelledEachExactlyOnce() throws Exception {
            CountDownLatch quickOnes = new CountDownLatch(1);
            EndlessProducer producer = new EndlessProducer(1);
            AtomicInteger n = new AtomicInteger();
            runner = FaasRunner.builder().maxInFlight(6).localThreads(6).router(JobRouter.builder().route(1, c -> {
                int i = n.incrementAndGet();
                started.incrementAndGet();
                if (i % 2 == 0) {
                    quickOnes.await();
                    return JobOutput.empty();
                }
                Thread.sleep(Long.MAX_VALUE);
                return JobOutput.empty();
            }).build()).producer(producer).consumer(consumer).build();
            runner.start();
            Await.until("six calls running", () -> started.get() == 6);

            runner.shutdown(Duration.ofMinutes(1));
            quickOnes.countDown();
            Await.until("the quick ones delivered", () -> consumer.count() == 3);
            runner.shutdown(Duration.ZERO); // a second, shorter grace period cuts the first one short

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertEachCallExactlyOnce(consumer.results(), producer.pulls.get());
            assertThat(consumer.results()).filteredOn(JobResult::isSuccess).hasSize(3);
            assertThat(consumer.results()).filteredOn(r -> !r.isSuccess()).hasSize(3).allSatisfy(r ->
                    assertThat(((JobResult.Failure) r).error()).isInstanceOf(CallCancelledException.class));
        }
    }

    @Nested
    class WhileWaitingForTheProducer {
        @Test
        void aProducerBlockedInNextIsInterruptedAndTheRunnerTerminates() throws Exception {
            JobQueue queue = JobQueue.withCapacity(4);
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(queue).consumer(consumer).build();
            runner.start();
            queue.put(call(1, "only", "x"));
            Await.until("the only result", () -> consumer.count() == 1);

            runner.shutdown(Duration.ofSeconds(5));

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.results()).singleElement().satisfies(r -> assertThat(r.isSuccess()).isTrue());
        }

        @Test
        void interruptingRunShutsTheRunnerDownAndKeepsTheInterrupt() throws Exception {
            JobQueue queue = JobQueue.withCapacity(4);
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(queue).consumer(consumer).build();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Thread runThread = new Thread(() -> {
                runner.run();
                interruptKept.complete(Thread.currentThread().isInterrupted());
            });
            runThread.start();
            queue.put(call(1, "only", "x"));
            Await.until("the only result", () -> consumer.count() == 1);

            runThread.interrupt();

            assertThat(interruptKept.get(Await.LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(runner.isTerminated()).isTrue();
        }
    }

    @Nested
    class DirectCalls {
        @Test
        void aCallAfterShutdownFailsWithCallCancelledAndIsNotRun() {
            AtomicInteger ran = new AtomicInteger();
            runner = FaasRunner.builder().listener(listener).router(JobRouter.builder().route(1, c -> {
                ran.incrementAndGet();
                return JobOutput.empty();
            }).build()).build();

            runner.close();
            JobResult result = runner.call(call(1, "late", "x")).join();

            assertThat(runner.isTerminated()).isTrue();
            assertThat(result.placement()).isEqualTo(Placement.NOT_RUN);
            assertThat(((JobResult.Failure) result).error()).isInstanceOf(CallCancelledException.class)
                    .hasMessageContaining("shut down");
            assertThat(ran).hasValue(0);
            assertThat(listener.eventsOf("late")).containsExactly("started late", "failed late CallCancelledException");
        }

        @Test
        void directCallsInFlightAreDrainedOrCancelledToo() throws Exception {
            runner = FaasRunner.builder()
                    .router(JobRouter.builder().route(1, blockUntilInterrupted(started, interrupted)).build())
                    .build();
            CompletableFuture<JobResult> pending = runner.call(call(1, "c-1", ""));
            Await.until("the call runs", () -> started.get() == 1);

            runner.shutdown(Duration.ofMillis(50));

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(pending).isCompleted();
            assertThat(((JobResult.Failure) pending.join()).error()).isInstanceOf(CallCancelledException.class);
        }

        @Test
        void callsRacingTheShutdownAreEitherRunOrRefusedAndNoneIsLeftHanging() throws Exception {
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .defaultPolicy(dev.faasx.core.JobPolicy.builder().deadline(Duration.ofSeconds(30)).build())
                    // The callers never wait, so lift the direct-call bound: this test is about the shutdown race.
                    .maxDirectCalls(Integer.MAX_VALUE)
                    .build();
            java.util.Queue<CompletableFuture<JobResult>> futures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            AtomicInteger made = new AtomicInteger();
            java.util.concurrent.ExecutorService callers = java.util.concurrent.Executors.newFixedThreadPool(2);
            List<java.util.concurrent.Future<?>> calling = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String prefix = "t" + t + "-";
                calling.add(callers.submit(() -> {
                    for (int i = 0; !runner.isTerminated(); i++) {
                        futures.add(runner.call(call(1, prefix + i, "x")));
                        made.incrementAndGet();
                    }
                }));
            }
            Await.until("some calls made", () -> made.get() > 1000);

            runner.shutdown(Duration.ZERO);

            for (java.util.concurrent.Future<?> caller : calling) {
                caller.get(Await.LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            }
            callers.shutdown();
            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            for (CompletableFuture<JobResult> f : futures) {
                JobResult r = f.get(Await.LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
                if (!r.isSuccess()) {
                    assertThat(((JobResult.Failure) r).error()).as("result of %s", r.callId())
                            .isInstanceOf(CallCancelledException.class);
                }
            }
            assertThat(futures).extracting(f -> f.join().callId()).doesNotHaveDuplicates();
        }

        @Test
        void closingTheRunnerFromAStageThatDependsOnACallDoesNotWaitForItself() throws Exception {
            CountDownLatch go = new CountDownLatch(1);
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, c -> {
                go.await();
                return JobOutput.empty();
            }).build()).build();
            CompletableFuture<Void> closed = runner.call(call(1, "c-1", "")).thenAccept(r -> runner.close());

            go.countDown();

            closed.get(Await.LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
        }

        @Test
        void cancellingTheFutureStopsTheCallAndTellsTheListeners() {
            runner = FaasRunner.builder().listener(listener)
                    .router(JobRouter.builder().route(1, blockUntilInterrupted(started, interrupted)).build())
                    .build();
            CompletableFuture<JobResult> pending = runner.call(call(1, "c-1", ""));
            Await.until("the call runs", () -> started.get() == 1);

            assertThat(pending.cancel(true)).isTrue();

            assertThat(pending).isCancelled();
            Await.until("the handler is interrupted", () -> interrupted.get() == 1);
            assertThat(listener.eventsOf("c-1")).containsExactly("started c-1", "failed c-1 CallCancelledException");
            assertThat(pending.cancel(true)).isFalse();
        }
    }
}
