package dev.faasx.bench.kafka;

import dev.faasx.kafka.DeliveryGuarantee;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The ceiling: a plain kafka-clients consume → produce loop with the same settings and guarantee as a
 * {@code KafkaJobSource} (read_committed, cooperative sticky assignor, acks=all, idempotence, a 100 ms commit
 * interval; at-least-once commits only after the producer has flushed, exactly-once commits offsets in the
 * transaction). It copies each call record's value to the results topic: no JSON, no runner, no job.
 */
final class RawLoop implements Runnable, AutoCloseable {
    private static final long COMMIT_INTERVAL_NANOS = Duration.ofMillis(100).toNanos();

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String resultsTopic;
    private final boolean exactlyOnce;
    private final AtomicInteger assigned;
    private final Thread thread;
    private volatile boolean running = true;

    RawLoop(String bootstrap, String callsTopic, String resultsTopic, String group, String id,
            DeliveryGuarantee guarantee, AtomicInteger assigned) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        this.exactlyOnce = guarantee == DeliveryGuarantee.EXACTLY_ONCE;
        if (exactlyOnce) {
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, group + "-" + id);
        }
        this.consumer = new KafkaConsumer<>(c);
        this.producer = new KafkaProducer<>(p);
        this.resultsTopic = resultsTopic;
        this.assigned = assigned;
        consumer.subscribe(List.of(callsTopic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                assigned.addAndGet(-partitions.size());
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                assigned.addAndGet(partitions.size());
            }
        });
        this.thread = new Thread(this, "raw-" + id);
        thread.start();
    }

    @Override
    public void run() {
        if (exactlyOnce) {
            producer.initTransactions();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        boolean inTxn = false;
        long last = System.nanoTime();
        while (running) {
            var records = consumer.poll(Duration.ofMillis(5));
            if (!records.isEmpty() && exactlyOnce && !inTxn) {
                producer.beginTransaction();
                inTxn = true;
            }
            for (ConsumerRecord<byte[], byte[]> r : records) {
                producer.send(new ProducerRecord<>(resultsTopic, r.key(), r.value()));
                offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
            }
            if (!offsets.isEmpty() && System.nanoTime() - last >= COMMIT_INTERVAL_NANOS) {
                if (exactlyOnce) {
                    producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                    producer.commitTransaction();
                    inTxn = false;
                } else {
                    producer.flush();
                    consumer.commitAsync(new HashMap<>(offsets), null);
                }
                offsets.clear();
                last = System.nanoTime();
            }
        }
        if (inTxn) {
            producer.abortTransaction();
        }
        consumer.close();
        producer.close();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
