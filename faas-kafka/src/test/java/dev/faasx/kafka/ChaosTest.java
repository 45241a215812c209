package dev.faasx.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.JobOutput;
import dev.faasx.core.JobRouter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A runner process is killed (SIGKILL: no commit, no leaving the group, its transaction left open) while calls
 * stream in; the other runners take its partitions over; it is restarted and rejoins.
 */
@Timeout(150)
class ChaosTest {
    static final int VICTIM_WINDOW = 500;
    static final int VICTIM_MAX_POLL = 100;
    static final int CALLS = 20_000;

    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    /** Job 1: the body upper-cased, after a millisecond's work, so that calls are in flight when the kill comes. */
    static JobRouter slowUpperCase() {
        return JobRouter.builder().route(1, call -> {
            Thread.sleep(1);
            return JobOutput.of(new String(call.body(), StandardCharsets.UTF_8).toUpperCase()
                    .getBytes(StandardCharsets.UTF_8));
        }).build();
    }

    @ParameterizedTest
    @EnumSource(DeliveryGuarantee.class)
    void aKilledRunnerLosesNoCallAndLeavesNoDuplicateCommittedResultUnderExactlyOnce(DeliveryGuarantee guarantee)
            throws Exception {
        String prefix = "chaos-" + guarantee.name().toLowerCase().replace('_', '-');
        broker.createTopic(prefix + "-calls", 6);
        broker.createTopic(prefix + "-results", 3);
        List<TestRunner> survivors = new ArrayList<>();
        ChildRunner restarted = null;
        try {
            for (String id : List.of("r1", "r2")) {
                survivors.add(TestRunner.start(Streams.source(broker, prefix, id, guarantee).build(),
                        slowUpperCase(), 0, null, b -> b));
            }
            ChildRunner victim = ChildRunner.start(broker.bootstrapServers(), prefix, "victim", guarantee.name());
            Streams.await(() -> victim.hasPartitions() && survivors.stream().allMatch(TestRunner::hasPartitions),
                    Duration.ofSeconds(40), "the victim and two survivors with partitions");

            AtomicReference<Throwable> sendFailure = new AtomicReference<>();
            Thread sender = new Thread(() -> sendPaced(prefix + "-calls", sendFailure), "paced-sender");
            sender.start();

            Streams.await(() -> victim.written() >= 1_000, Duration.ofSeconds(40), "the victim to write results");
            long writtenAtKill = victim.written();
            victim.kill();
            Streams.await(() -> partitionsOf(survivors).size() == 6, Duration.ofSeconds(30),
                    "the survivors to take the victim's partitions");

            restarted = ChildRunner.start(broker.bootstrapServers(), prefix, "victim", guarantee.name());
            ChildRunner back = restarted;
            Streams.await(back::hasPartitions, Duration.ofSeconds(30), "the restarted runner to rejoin");
            sender.join(60_000);
            assertThat(sendFailure.get()).isNull();

            List<ConsumerRecord<byte[], byte[]>> committed = broker.readUntil(prefix + "-results",
                    "read_committed", read -> Streams.byCallId(read).size() >= CALLS, Duration.ofSeconds(60),
                    Duration.ofSeconds(1));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = Streams.byCallId(committed);
            Set<String> expected = new HashSet<>();
            for (int i = 0; i < CALLS; i++) {
                expected.add("k-" + i);
            }
            assertThat(byId.keySet()).as("every call has a committed result").isEqualTo(expected);
            long duplicates = committed.size() - byId.size();
            List<ConsumerRecord<byte[], byte[]>> all = broker.readAll(prefix + "-results", "read_uncommitted",
                    committed.size(), Duration.ofSeconds(10), Duration.ofMillis(500));
            System.out.printf("chaos %s: victim wrote %d results before the kill; %d committed results for %d calls "
                            + "(%d duplicates); %d records including aborted ones%n", guarantee, writtenAtKill,
                    committed.size(), CALLS, duplicates, all.size());
            for (ConsumerRecord<byte[], byte[]> r : committed) {
                String i = Streams.text(r.key()).substring(2);
                assertThat(Streams.text(Streams.response(r).result())).isEqualTo("CALL-" + i);
            }
            if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
                assertThat(duplicates).as("duplicate committed results").isZero();
            } else {
                assertThat(duplicates).as("duplicates, bounded by the victim's uncommitted window")
                        .isLessThanOrEqualTo(VICTIM_WINDOW + VICTIM_MAX_POLL);
            }
        } finally {
            for (TestRunner r : survivors) {
                r.close();
            }
            if (restarted != null) {
                restarted.close();
            }
        }
    }

    /** Sends the calls at about 2,500 a second, so that the stream is still flowing during the crash. */
    private static void sendPaced(String topic, AtomicReference<Throwable> failure) {
        List<ProducerRecord<byte[], byte[]>> calls = Streams.calls(topic, "k", CALLS, i -> 1);
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>(calls.size());
        try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
            for (int i = 0; i < calls.size(); i++) {
                sent.add(producer.send(calls.get(i)));
                if (i % 250 == 249) {
                    producer.flush();
                    Thread.sleep(100);
                }
            }
            producer.flush();
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(); // a call that was not written would look like a lost one
            }
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static Set<Integer> partitionsOf(List<TestRunner> runners) {
        Set<Integer> all = new HashSet<>();
        runners.forEach(r -> all.addAll(r.source.stats().partitions()));
        return all;
    }
}
