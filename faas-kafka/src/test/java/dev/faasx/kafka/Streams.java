package dev.faasx.kafka;

import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Calls to send and results read back, for the tests. */
final class Streams {
    static final JobRecords RECORDS = JobRecords.create();

    private Streams() {
    }

    /** A source on {@code <prefix>-calls} / {@code <prefix>-results} in group {@code <prefix>-runners}. */
    static KafkaJobSource.Builder source(TestBroker broker, String prefix, String runnerId,
                                         DeliveryGuarantee guarantee) {
        return KafkaJobSource.builder().bootstrapServers(broker.bootstrapServers())
                .callsTopic(prefix + "-calls").resultsTopic(prefix + "-results")
                .groupId(prefix + "-runners").runnerId(runnerId).guarantee(guarantee)
                .consumerProperty("session.timeout.ms", 6000)
                .consumerProperty("heartbeat.interval.ms", 500);
    }

    /** {@code n} calls of {@code jobFor(i)}; body "call-i", call id "prefix-i". */
    static List<ProducerRecord<byte[], byte[]>> calls(String topic, String prefix, int n,
                                                      java.util.function.IntToLongFunction jobFor) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JobCall call = JobCall.builder(jobFor.applyAsLong(i)).callId(prefix + "-" + i)
                    .body(("call-" + i).getBytes(StandardCharsets.UTF_8)).build();
            out.add(RECORDS.callRecord(topic, call));
        }
        return out;
    }

    /** Result records by call id (a list per id: more than one is a duplicate). */
    static Map<String, List<ConsumerRecord<byte[], byte[]>>> byCallId(List<ConsumerRecord<byte[], byte[]>> results) {
        Map<String, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : results) {
            out.computeIfAbsent(new String(r.key(), StandardCharsets.UTF_8), k -> new ArrayList<>()).add(r);
        }
        return out;
    }

    static InvokeResponse response(ConsumerRecord<byte[], byte[]> record) {
        return RECORDS.decodeResult(record);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
