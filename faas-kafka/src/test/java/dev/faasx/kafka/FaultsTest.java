package dev.faasx.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobRouter;
import dev.faasx.core.spec.InvokeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Poison records, a results topic that is briefly unavailable, a runner slower than the rest. */
@Timeout(120)
class FaultsTest {
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    static JobRouter echo() {
        return JobRouter.builder().route(1, JobHandler.ofBytes(b -> b)).build();
    }

    static String prefix(String what, DeliveryGuarantee g) {
        return what + "-" + g.name().toLowerCase().replace('_', '-');
    }

    @ParameterizedTest
    @EnumSource(DeliveryGuarantee.class)
    void poisonRecordsGetFailedResultsAndADeadLetterCopyWhileThePartitionGoesOn(DeliveryGuarantee g)
            throws Exception {
        String prefix = prefix("poison", g);
        broker.createTopic(prefix + "-calls", 1); // one partition: the good calls are behind the poison
        broker.createTopic(prefix + "-results", 1);
        broker.createTopic(prefix + "-dead", 1);
        String calls = prefix + "-calls";
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(raw(calls, "p-not-json", "this is not JSON"));
        records.add(raw(calls, "p-no-job", "{\"args\":[1,2]}"));
        records.add(raw(calls, "p-bad-byte", "{\"job_id\":1,\"args\":[300]}"));
        records.add(raw(calls, "p-mismatch", "{\"job_id\":1,\"args\":[],\"call_id\":\"other\"}"));
        records.add(new ProducerRecord<>(calls, "p-tombstone".getBytes(StandardCharsets.UTF_8), null));
        records.add(new ProducerRecord<>(calls, new byte[] {(byte) 0xff, (byte) 0xfe},
                "{\"job_id\":1,\"args\":[]}".getBytes(StandardCharsets.UTF_8)));
        records.addAll(Streams.calls(calls, "good", 200, i -> 1));
        records.add(raw(calls, "p-truncated", "{\"job_id\":1,\"args\":[1,"));
        broker.send(records);

        try (TestRunner runner = TestRunner.start(Streams.source(broker, prefix, "solo", g)
                .deadLetterTopic(prefix + "-dead").build(), echo(), 0, null, b -> b)) {
            List<ConsumerRecord<byte[], byte[]>> results = broker.readAll(prefix + "-results", "read_committed",
                    207, Duration.ofSeconds(30), Duration.ofMillis(300));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = Streams.byCallId(results);
            assertThat(results).hasSize(207);
            for (int i = 0; i < 200; i++) {
                assertThat(Streams.response(byId.get("good-" + i).get(0)).success()).isTrue();
            }
            assertFailed(byId, "p-not-json", "");
            assertFailed(byId, "p-no-job", "job_id");
            assertFailed(byId, "p-bad-byte", "");
            assertFailed(byId, "p-mismatch", "differ");
            assertFailed(byId, "p-tombstone", "no value");
            assertFailed(byId, "kafka:" + calls + "/0/5", "UTF-8");
            assertFailed(byId, "p-truncated", "");
            assertThat(runner.source.failure()).isEmpty();
            assertThat(runner.source.stats().malformedRecords()).isEqualTo(7);

            List<ConsumerRecord<byte[], byte[]>> dead = broker.readAll(prefix + "-dead", "read_committed", 7,
                    Duration.ofSeconds(10), Duration.ofMillis(200));
            assertThat(dead).hasSize(7);
            assertThat(dead).allSatisfy(r -> {
                assertThat(JobRecords.header(r, JobRecords.ERROR_HEADER)).isPresent();
                assertThat(JobRecords.header(r, JobRecords.SOURCE_TOPIC_HEADER)).contains(calls);
            });
            assertThat(Streams.text(dead.get(0).value())).isEqualTo("this is not JSON");
        }
    }

    private static void assertFailed(Map<String, List<ConsumerRecord<byte[], byte[]>>> byId, String callId,
                                     String errorMentions) {
        assertThat(byId).containsKey(callId);
        InvokeResponse r = Streams.response(byId.get(callId).get(0));
        assertThat(r.success()).isFalse();
        assertThat(r.callId()).contains(callId);
        assertThat(r.errorType()).contains("ProtocolException");
        assertThat(r.error().orElseThrow()).contains(errorMentions);
    }

    private static ProducerRecord<byte[], byte[]> raw(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @EnumSource(DeliveryGuarantee.class)
    void aResultsTopicThatIsBrieflyUnavailableDelaysResultsButLosesAndDuplicatesNone(DeliveryGuarantee g)
            throws Exception {
        String prefix = prefix("unavailable", g);
        broker.createTopic(prefix + "-calls", 3);
        // The results topic does not exist yet (the broker does not create topics on demand): writes wait.
        try (TestRunner runner = TestRunner.start(Streams.source(broker, prefix, "solo", g).build(), echo(), 0,
                null, b -> b)) {
            broker.send(Streams.calls(prefix + "-calls", "u", 2_000, i -> 1));
            Streams.await(() -> runner.source.stats().callsStarted() > 0, Duration.ofSeconds(20), "calls to start");
            Thread.sleep(2_000);
            assertThat(runner.source.stats().commits()).as("no offset is committed without its result").isZero();
            assertThat(runner.source.stats().resultsWritten()).isZero();

            broker.createTopic(prefix + "-results", 3);
            List<ConsumerRecord<byte[], byte[]>> results = broker.readAll(prefix + "-results", "read_committed",
                    2_000, Duration.ofSeconds(60), Duration.ofMillis(500));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = Streams.byCallId(results);
            assertThat(byId).hasSize(2_000);
            assertThat(results).hasSize(2_000);
            assertThat(runner.source.failure()).isEmpty();
        }
    }

    @Test
    void aSlowRunnersSourcePausesItsPartitionsInsteadOfBufferingAndEveryCallGetsOneResult() throws Exception {
        String prefix = "slow";
        int n = 1_500;
        broker.createTopic(prefix + "-calls", 6);
        broker.createTopic(prefix + "-results", 3);
        JobRouter slowEcho = JobRouter.builder().route(1, call -> {
            Thread.sleep(10);
            return JobOutput.of(call.body());
        }).build();
        List<TestRunner> runners = new ArrayList<>();
        try {
            runners.add(TestRunner.start(Streams.source(broker, prefix, "fast1", DeliveryGuarantee.AT_LEAST_ONCE)
                    .build(), echo(), 0, null, b -> b));
            runners.add(TestRunner.start(Streams.source(broker, prefix, "fast2", DeliveryGuarantee.AT_LEAST_ONCE)
                    .build(), echo(), 0, null, b -> b));
            TestRunner slow = TestRunner.start(Streams.source(broker, prefix, "slow", DeliveryGuarantee.AT_LEAST_ONCE)
                    .maxUncommittedCalls(50).consumerProperty("max.poll.records", 20).build(), slowEcho, 0, null,
                    b -> b.maxInFlight(4));
            runners.add(slow);
            Streams.await(() -> runners.stream().allMatch(TestRunner::hasPartitions), Duration.ofSeconds(30),
                    "three runners with partitions");
            broker.send(Streams.calls(prefix + "-calls", "s", n, i -> 1));
            AtomicInteger maxUncommitted = new AtomicInteger();
            List<ConsumerRecord<byte[], byte[]>> results = broker.readUntil(prefix + "-results", "read_committed",
                    read -> {
                        maxUncommitted.accumulateAndGet(slow.source.stats().uncommittedCalls(), Math::max);
                        return read.size() >= n;
                    }, Duration.ofSeconds(90), Duration.ofMillis(300));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = Streams.byCallId(results);
            assertThat(byId).hasSize(n);
            assertThat(results).hasSize(n);
            long bySlow = results.stream().filter(r -> JobRecords.header(r, JobRecords.RUNNER_HEADER)
                    .orElseThrow().equals("slow")).count();
            // Partitions do not move by load: the slow runner serves its own partitions, at its own pace, and
            // holds no more of them in memory than its window allows.
            assertThat(bySlow).isPositive();
            assertThat(slow.source.stats().pauses()).isPositive();
            assertThat(maxUncommitted.get()).isLessThanOrEqualTo(50 + 20);
        } finally {
            for (TestRunner r : runners) {
                r.close();
            }
        }
    }

    @Test
    void callsCancelledByARunnerShutdownGetNoFailedResultAndRunOnTheNextRunner() throws Exception {
        String prefix = "cancelled";
        broker.createTopic(prefix + "-calls", 1);
        broker.createTopic(prefix + "-results", 1);
        JobRouter slow = JobRouter.builder().route(1, call -> {
            Thread.sleep(300);
            return JobOutput.of(call.body());
        }).build();
        TestRunner first = TestRunner.start(Streams.source(broker, prefix, "first", DeliveryGuarantee.AT_LEAST_ONCE)
                .build(), slow, 0, null, b -> b.maxInFlight(8));
        broker.send(Streams.calls(prefix + "-calls", "x", 40, i -> 1));
        Streams.await(() -> first.source.stats().callsStarted() >= 8, Duration.ofSeconds(20), "calls in flight");
        first.runner.shutdown(Duration.ZERO); // its calls in flight end as CallCancelledException
        assertThat(first.runner.awaitTermination(Duration.ofSeconds(10))).isTrue();
        first.source.close();
        long writtenByFirst = first.source.stats().resultsWritten();

        try (TestRunner second = TestRunner.start(Streams.source(broker, prefix, "second",
                DeliveryGuarantee.AT_LEAST_ONCE).build(), echo(), 0, null, b -> b)) {
            List<ConsumerRecord<byte[], byte[]>> results = broker.readAll(prefix + "-results", "read_committed", 40,
                    Duration.ofSeconds(30), Duration.ofMillis(300));
            assertThat(Streams.byCallId(results)).hasSize(40);
            assertThat(results).hasSize(40);
            assertThat(results).allSatisfy(r -> assertThat(Streams.response(r).success()).isTrue());
            assertThat(second.source.stats().resultsWritten()).isEqualTo(40 - writtenByFirst);
        }
    }

    @Test
    void aSourceFencedByANewerOneWithTheSameRunnerIdStopsAndTheRunnerFinishes() throws Exception {
        String prefix = "fenced";
        broker.createTopic(prefix + "-calls", 2);
        broker.createTopic(prefix + "-results", 2);
        TestRunner first = TestRunner.start(Streams.source(broker, prefix, "same", DeliveryGuarantee.EXACTLY_ONCE)
                .build(), echo(), 0, null, b -> b);
        try {
            broker.send(Streams.calls(prefix + "-calls", "a", 100, i -> 1));
            Streams.await(() -> first.source.stats().resultsWritten() == 100, Duration.ofSeconds(30),
                    "the first runner's results");
            try (TestRunner second = TestRunner.start(Streams.source(broker, prefix, "same",
                    DeliveryGuarantee.EXACTLY_ONCE).build(), echo(), 0, null, b -> b)) {
                broker.send(Streams.calls(prefix + "-calls", "b", 400, i -> 1));
                Streams.await(() -> first.source.failure().isPresent(), Duration.ofSeconds(30),
                        "the first source to be fenced");
                assertThat(first.runner.awaitTermination(Duration.ofSeconds(20))).isTrue();
                List<ConsumerRecord<byte[], byte[]>> results = broker.readAll(prefix + "-results",
                        "read_committed", 500, Duration.ofSeconds(60), Duration.ofMillis(500));
                assertThat(Streams.byCallId(results)).hasSize(500);
                assertThat(results).hasSize(500);
            }
        } finally {
            first.close();
        }
    }

}
