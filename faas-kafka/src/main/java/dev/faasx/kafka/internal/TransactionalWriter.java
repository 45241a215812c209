package dev.faasx.kafka.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once: results are held until they and every earlier call of their partition are done, then sent inside a
 * Kafka transaction; every commit interval the transaction's offsets are added to it
 * ({@code sendOffsetsToTransaction} with the consumer group's metadata, which fences a runner whose partitions were
 * taken away) and it is committed. A result is therefore visible to {@code read_committed} readers exactly when the
 * offset of its call is committed.
 *
 * <p>When a transaction fails in a way that can be aborted, it is aborted and its partitions are read again from
 * their last committed offsets (the calls run again; their results are written once). When the producer is fenced
 * or refused for good, the source fails: another runner, or a restarted one, takes over.
 *
 * <p>Every method except {@link #resultReady} runs on the poll thread, which therefore owns the transaction.
 */
final class TransactionalWriter implements ResultWriter {
    private static final Logger log = LoggerFactory.getLogger(TransactionalWriter.class);

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> consumer;
    private final Counters counters;
    private final long commitIntervalNanos;
    private final Map<TopicPartition, OffsetAndMetadata> txnOffsets = new HashMap<>();
    private final Map<TopicPartition, PartitionLedger> txnLedgers = new HashMap<>();
    private long txnResults;
    private boolean inTransaction;
    private long txnStart;

    TransactionalWriter(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> consumer, Counters counters,
                        Duration commitInterval) {
        this.producer = producer;
        this.consumer = consumer;
        this.counters = counters;
        this.commitIntervalNanos = commitInterval.toNanos();
    }

    @Override
    public void start() {
        try {
            // Aborts whatever a previous runner with the same transactional.id left open, and fences it.
            producer.initTransactions();
        } catch (KafkaException e) {
            throw new SourceFailedException("could not initialise Kafka transactions: " + e, e);
        }
    }

    @Override
    public void resultReady(PartitionLedger.Entry entry, List<ProducerRecord<byte[], byte[]>> records) {
        if (!entry.ledger().markDone(entry, records)) {
            counters.resultsDropped.increment(); // its partition moved on; its next reader runs the call again
        }
    }

    @Override
    public List<PartitionLedger> flush(Collection<PartitionLedger> ledgers, boolean commitNow) {
        try {
            for (PartitionLedger ledger : ledgers) {
                PartitionLedger.Drained d = ledger.drainDone();
                if (d.isEmpty()) {
                    continue;
                }
                if (!inTransaction) {
                    producer.beginTransaction();
                    inTransaction = true;
                    txnStart = System.nanoTime();
                }
                for (ProducerRecord<byte[], byte[]> record : d.records()) {
                    producer.send(record); // a failed send fails the commit, which aborts and reads again
                }
                txnOffsets.put(ledger.partition(), new OffsetAndMetadata(d.nextOffset()));
                txnLedgers.put(ledger.partition(), ledger);
                txnResults += d.count();
            }
            if (inTransaction && (commitNow || System.nanoTime() - txnStart >= commitIntervalNanos)) {
                producer.sendOffsetsToTransaction(txnOffsets, consumer.groupMetadata());
                producer.commitTransaction();
                counters.commits.increment();
                counters.resultsWritten.add(txnResults);
                txnOffsets.forEach((tp, offset) -> txnLedgers.get(tp).committed(offset.offset()));
                endTransaction();
            }
            return List.of();
        } catch (ProducerFencedException | FencedInstanceIdException | OutOfOrderSequenceException
                 | AuthorizationException | UnsupportedVersionException e) {
            throw fatal(e);
        } catch (KafkaException e) {
            log.warn("a transaction of {} results failed and is aborted; its partitions {} are read again from "
                    + "their last committed offsets: {}", txnResults, txnOffsets.keySet(), e.toString());
            return abort();
        }
    }

    @Override
    public List<PartitionLedger> partitionsLost(Collection<PartitionLedger> lost) {
        boolean affected = false;
        for (PartitionLedger ledger : lost) {
            affected |= txnLedgers.containsKey(ledger.partition());
        }
        if (!affected) {
            return List.of();
        }
        // Its offsets can no longer be committed with this group generation: abort the whole transaction.
        List<PartitionLedger> rewind = abort();
        rewind.removeIf(lost::contains);
        return rewind;
    }

    private List<PartitionLedger> abort() {
        List<PartitionLedger> rewind = new ArrayList<>(txnLedgers.values());
        if (inTransaction) {
            try {
                producer.abortTransaction();
            } catch (ProducerFencedException | FencedInstanceIdException e) {
                throw fatal(e);
            } catch (KafkaException e) {
                throw new SourceFailedException("could not abort a failed Kafka transaction: " + e, e);
            }
        }
        endTransaction();
        return rewind;
    }

    private void endTransaction() {
        inTransaction = false;
        txnOffsets.clear();
        txnLedgers.clear();
        txnResults = 0;
    }

    private static SourceFailedException fatal(KafkaException e) {
        return new SourceFailedException("the results producer was fenced or refused for good (" + e
                + "); this runner stops taking calls and another runner takes its partitions over", e);
    }

    @Override
    public void close(Duration timeout) {
        try {
            producer.close(timeout); // aborts a transaction still open
        } catch (KafkaException e) {
            log.warn("closing the transactional results producer failed: {}", e.toString());
        }
    }
}
