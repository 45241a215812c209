package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Back-pressure, the consumer's guarantees, and the producer-driven lifecycle. */
@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerFlowTest {
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    /** A producer of {@code total} calls of {@code jobId} that counts how often it was asked. */
    static final class CountingProducer implements JobProducer {
        final AtomicInteger pulls = new AtomicInteger();
        private final int total;
        private final long jobId;

        CountingProducer(long jobId, int total) {
            this.jobId = jobId;
            this.total = total;
        }

        @Override
        public Optional<JobCall> next() {
            int n = pulls.incrementAndGet();
            return n <= total ? Optional.of(call(jobId, "c-" + n, "body-" + n)) : Optional.empty();
        }
    }

    @Nested
    class BackPressure {
        @Test
        void theProducerIsNeverAskedForMoreThanMaxInFlightCallsAhead() throws Exception {
            int maxInFlight = 4;
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger mostRunning = new AtomicInteger();
            CountingProducer producer = new CountingProducer(1, 100);
            List<Integer> aheadAtEachResult = new ArrayList<>();
            RecordingConsumer consumer = new RecordingConsumer(r ->
                    aheadAtEachResult.add(producer.pulls.get() - aheadAtEachResult.size()));
            runner = FaasRunner.builder().maxInFlight(maxInFlight).localThreads(8)
                    .router(JobRouter.builder().route(1, c -> {
                        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        try {
                            release.await();
                        } finally {
                            running.decrementAndGet();
                        }
                        return JobOutput.empty();
                    }).build())
                    .producer(producer).consumer(consumer).build();

            runner.start();
            Await.until("maxInFlight handlers running", () -> running.get() == maxInFlight);
            Thread.sleep(100); // give a runner that would over-pull the chance to do so
            assertThat(producer.pulls).hasValue(maxInFlight);

            release.countDown();
            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.count()).isEqualTo(100);
            assertThat(mostRunning.get()).isLessThanOrEqualTo(maxInFlight);
            // while the consumer holds result k, at most maxInFlight calls are pulled but not yet consumed
            assertThat(aheadAtEachResult).allSatisfy(ahead -> assertThat(ahead).isLessThanOrEqualTo(maxInFlight));
        }

        @Test
        void aSlowConsumerSlowsThePulling() throws Exception {
            CountDownLatch consumerMayGo = new CountDownLatch(1);
            CountingProducer producer = new CountingProducer(1, 20);
            RecordingConsumer consumer = new RecordingConsumer(r -> {
                try {
                    consumerMayGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            runner = FaasRunner.builder().maxInFlight(3).router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(producer).consumer(consumer).build();

            runner.start();
            Await.until("the consumer holds a result", () -> consumer.count() == 1);
            Thread.sleep(100);
            assertThat(producer.pulls).hasValue(3);

            consumerMayGo.countDown();
            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.count()).isEqualTo(20);
        }
    }

    @Nested
    class TheConsumer {
        @Test
        void isCalledOneResultAtATimeEvenWhenCallsFinishInParallel() throws Exception {
            RecordingConsumer consumer = new RecordingConsumer(r -> Thread.yield());
            runner = FaasRunner.builder().maxInFlight(32).localThreads(8)
                    .router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .withFaasExecutor(2, ScriptedExecutor.named("cloud"))
                    .producer(new CountingProducer(1, 2000)).consumer(consumer).build();

            runner.run();

            assertThat(consumer.count()).isEqualTo(2000);
            assertThat(consumer.wasCalledConcurrently()).isFalse();
        }

        @Test
        void thatThrowsIsReportedAndTheRunnerGoesOn() {
            RecordingListener listener = new RecordingListener();
            AtomicInteger seen = new AtomicInteger();
            RecordingConsumer consumer = new RecordingConsumer(r -> {
                if (seen.incrementAndGet() % 3 == 0) {
                    throw new IllegalStateException("database down");
                }
            });
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(new CountingProducer(1, 30)).consumer(consumer).listener(listener).build();

            runner.run();

            assertThat(consumer.count()).isEqualTo(30);
            assertThat(listener.consumerErrors).hasSize(10)
                    .allSatisfy(e -> assertThat(e).hasMessage("database down"));
            assertThat(runner.isTerminated()).isTrue();
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void runReturnsWhenTheProducerIsExhaustedAndEveryResultIsDelivered() {
            RecordingConsumer consumer = new RecordingConsumer();
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(new CountingProducer(1, 50)).consumer(consumer).build();

            runner.run();

            assertThat(consumer.results()).hasSize(50).allSatisfy(r -> assertThat(r.isSuccess()).isTrue());
            assertThat(consumer.results()).extracting(JobResult::callId).doesNotHaveDuplicates();
            assertThat(runner.isTerminated()).isTrue();
        }

        @Test
        void startRunsInTheBackground() throws Exception {
            CountDownLatch release = new CountDownLatch(1);
            RecordingConsumer consumer = new RecordingConsumer();
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, c -> {
                release.await();
                return JobOutput.empty();
            }).build()).producer(new CountingProducer(1, 5)).consumer(consumer).build();

            runner.start();
            assertThat(runner.awaitTermination(java.time.Duration.ofMillis(50))).isFalse();
            release.countDown();

            assertThat(runner.awaitTermination(Await.LIMIT)).isTrue();
            assertThat(consumer.count()).isEqualTo(5);
        }

        @Test
        void aProducerThatThrowsEndsThePullingButNotTheCallsInFlight() {
            RecordingListener listener = new RecordingListener();
            RecordingConsumer consumer = new RecordingConsumer();
            AtomicInteger pulls = new AtomicInteger();
            JobProducer producer = () -> {
                if (pulls.incrementAndGet() > 3) {
                    throw new IllegalStateException("queue broker gone");
                }
                return Optional.of(call(1, "c-" + pulls.get(), "x"));
            };
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(producer).consumer(consumer).listener(listener).build();

            runner.run();

            assertThat(consumer.count()).isEqualTo(3);
            assertThat(listener.producerErrors).singleElement()
                    .satisfies(e -> assertThat(e).hasMessage("queue broker gone"));
        }

        @Test
        void misuseIsRefusedWithAClearMessage() {
            FaasRunner callOnly = FaasRunner.builder().build();
            assertThatThrownBy(callOnly::run).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no producer");
            callOnly.close();

            assertThatThrownBy(() -> FaasRunner.builder().producer(JobProducer.of()).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("consumer");
            assertThatThrownBy(() -> FaasRunner.builder().maxInFlight(0))
                    .isInstanceOf(IllegalArgumentException.class);

            runner = FaasRunner.builder().producer(JobProducer.of()).consumer(r -> { }).build();
            runner.run();
            assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class);
        }

        @Test
        void runnerThreadsAreGoneAfterTermination() {
            runner = FaasRunner.builder().name("flow-threads")
                    .router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .producer(new CountingProducer(1, 10)).consumer(r -> { }).build();
            runner.run();

            Await.until("runner threads end", () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("flow-threads") && t.isAlive()));
        }
    }
}
