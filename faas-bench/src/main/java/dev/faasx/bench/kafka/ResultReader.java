package dev.faasx.bench.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a results topic ({@code read_committed}, from the beginning) on its own thread and notes when each call id's
 * first result became visible: the end of every measurement, for faasx and the raw loop alike.
 */
final class ResultReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Long> sentAt;
    private final List<Long> latenciesNanos = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long last;
    private volatile int distinct;

    /** @param sentAt when each call was sent ({@link System#nanoTime()}), for latencies; may be empty */
    ResultReader(String bootstrap, String topic, Map<String, Long> sentAt) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumer = new KafkaConsumer<>(p);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                .map(i -> new TopicPartition(topic, i.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        this.sentAt = sentAt;
        this.thread = new Thread(this::read, "result-reader");
        thread.start();
    }

    private void read() {
        while (running) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                long now = System.nanoTime();
                String key = new String(r.key(), StandardCharsets.UTF_8);
                if (seen.add(key)) {
                    last = now;
                    Long sent = sentAt.get(key);
                    if (sent != null) {
                        synchronized (latenciesNanos) {
                            latenciesNanos.add(now - sent);
                        }
                    }
                    distinct = seen.size();
                }
            }
        }
        consumer.close();
    }

    /** Waits until {@code n} distinct call ids have a result; false on timeout. */
    boolean await(int n, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (distinct < n) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    int distinct() {
        return distinct;
    }

    /** Results per second from {@code startNanos} to the last result seen. */
    double rateSince(long startNanos) {
        return distinct / ((last - startNanos) / 1e9);
    }

    /** The {@code q} quantile (0..1) of the latencies, in milliseconds. */
    double latencyMillis(double q) {
        synchronized (latenciesNanos) {
            List<Long> sorted = new ArrayList<>(latenciesNanos);
            sorted.sort(Long::compare);
            if (sorted.isEmpty()) {
                return Double.NaN;
            }
            return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1)) / 1e6;
        }
    }

    static Map<String, Long> sendTimes() {
        return new ConcurrentHashMap<>();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
