package dev.faasx.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At-least-once: each result is sent as soon as the runner has it; a call counts as done when Kafka has
 * acknowledged its records; the contiguous done offsets are committed every commit interval (and synchronously on
 * revocation and close). A result the producer finally fails to write is sent again, so its offset is never
 * committed without it.
 */
final class AtLeastOnceWriter implements ResultWriter {
    private static final Logger log = LoggerFactory.getLogger(AtLeastOnceWriter.class);
    private static final long RETRY_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final Counters counters;
    private final long commitIntervalNanos;
    private final Function<ProducerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> tooLarge;
    private final ConcurrentLinkedQueue<Send> retries = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    private final Map<TopicPartition, PartitionLedger> toCommitLedgers = new HashMap<>();
    private long lastCommit = System.nanoTime();

    /**
     * @param tooLarge makes the small failed result that replaces a result record the producer refuses as too large
     */
    AtLeastOnceWriter(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer, Counters counters,
                      Duration commitInterval,
                      Function<ProducerRecord<byte[], byte[]>, ProducerRecord<byte[], byte[]>> tooLarge) {
        this.producer = producer;
        this.consumer = consumer;
        this.counters = counters;
        this.commitIntervalNanos = commitInterval.toNanos();
        this.tooLarge = tooLarge;
    }

    @Override
    public void start() {
    }

    @Override
    public void resultReady(PartitionLedger.Entry entry, List<ProducerRecord<byte[], byte[]>> records) {
        if (entry.ledger().isRetired()) {
            counters.resultsDropped.increment();
            return;
        }
        AtomicInteger remaining = new AtomicInteger(records.size());
        for (ProducerRecord<byte[], byte[]> record : records) {
            send(new Send(entry, record, remaining, false));
        }
    }

    private void send(Send s) {
        try {
            producer.send(s.record, (metadata, error) -> {
                if (error == null) {
                    if (s.remaining.decrementAndGet() == 0) {
                        if (s.entry.ledger().markDone(s.entry, null)) {
                            counters.resultsWritten.increment();
                        } else {
                            counters.resultsDropped.increment(); // written, but the partition moved on: a duplicate
                        }
                    }
                } else {
                    failed(s, error);
                }
            });
        } catch (KafkaException | IllegalStateException e) {
            failed(s, e);
        }
    }

    private void failed(Send s, Exception error) {
        if (s.entry.ledger().isRetired()) {
            counters.resultsDropped.increment();
            return;
        }
        if (error instanceof RecordTooLargeException && !s.replaced) {
            log.warn("a result record for {} is too large for the producer; writing a failed result instead",
                    s.entry.ledger().partition());
            retries.add(new Send(s.entry, tooLarge.apply(s.record), s.remaining, true).after(0));
            return;
        }
        log.warn("could not write a record to {} ({}); sending it again", s.record.topic(), error.toString());
        retries.add(s.after(RETRY_BACKOFF_NANOS));
    }

    @Override
    public List<PartitionLedger> flush(Collection<PartitionLedger> ledgers, boolean commitNow) {
        resendDue();
        for (PartitionLedger ledger : ledgers) {
            PartitionLedger.Drained d = ledger.drainDone();
            if (!d.isEmpty()) {
                toCommit.put(ledger.partition(), new OffsetAndMetadata(d.nextOffset()));
                toCommitLedgers.put(ledger.partition(), ledger);
            }
        }
        long now = System.nanoTime();
        if (!toCommit.isEmpty() && (commitNow || now - lastCommit >= commitIntervalNanos)) {
            commit(commitNow);
            lastCommit = now;
        }
        return List.of();
    }

    private void resendDue() {
        long now = System.nanoTime();
        int n = retries.size();
        for (int i = 0; i < n; i++) {
            Send s = retries.poll();
            if (s == null) {
                break;
            }
            if (s.entry.ledger().isRetired()) {
                counters.resultsDropped.increment();
            } else if (now >= s.notBefore) {
                send(s);
            } else {
                retries.add(s);
            }
        }
    }

    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(toCommit);
        Map<TopicPartition, PartitionLedger> ledgers = new HashMap<>(toCommitLedgers);
        toCommit.clear();
        toCommitLedgers.clear();
        if (sync) {
            try {
                consumer.commitSync(offsets);
                committed(offsets, ledgers);
            } catch (KafkaException e) {
                log.warn("could not commit offsets {}: {}", offsets, e.toString());
            }
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    committed(offsets, ledgers);
                } else {
                    log.debug("an asynchronous offset commit failed; the next one covers it: {}", error.toString());
                }
            });
        }
    }

    private void committed(Map<TopicPartition, OffsetAndMetadata> offsets,
                           Map<TopicPartition, PartitionLedger> ledgers) {
        counters.commits.increment();
        offsets.forEach((tp, offset) -> ledgers.get(tp).committed(offset.offset()));
    }

    @Override
    public List<PartitionLedger> partitionsLost(Collection<PartitionLedger> lost) {
        for (PartitionLedger ledger : lost) {
            toCommit.remove(ledger.partition());
            toCommitLedgers.remove(ledger.partition());
        }
        return List.of();
    }

    @Override
    public void close(Duration timeout) {
        try {
            producer.close(timeout);
        } catch (KafkaException e) {
            log.warn("closing the results producer failed: {}", e.toString());
        }
    }

    /** One record to send for one call; a call is done when all of its records are written. */
    private static final class Send {
        final PartitionLedger.Entry entry;
        final ProducerRecord<byte[], byte[]> record;
        final AtomicInteger remaining;
        final boolean replaced;
        volatile long notBefore;

        Send(PartitionLedger.Entry entry, ProducerRecord<byte[], byte[]> record, AtomicInteger remaining,
             boolean replaced) {
            this.entry = entry;
            this.record = record;
            this.remaining = remaining;
            this.replaced = replaced;
        }

        Send after(long nanos) {
            notBefore = System.nanoTime() + nanos;
            return this;
        }
    }
}
