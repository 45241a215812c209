package dev.faasx.kafka.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The calls read from one partition during one assignment, in the order they were read, until their offsets are
 * committed. Calls finish out of order; the offset to commit is the one after the last call that, with every call
 * before it, is done. Offsets need not be consecutive (transaction markers, compaction), so the ledger follows the
 * order of the records read, not offset arithmetic.
 *
 * <p>A ledger is retired when its partition is revoked, lost, or rewound: results of its calls that arrive later are
 * dropped, because the partition's next reader will run those calls again from the last committed offset.
 *
 * <p>Thread-safe: the poll thread adds and drains, the result sink (or the producer's I/O thread) marks done.
 */
public final class PartitionLedger {
    private final TopicPartition partition;
    private final AtomicInteger uncommitted; // shared by all ledgers of a source: its back-pressure count
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long rewindOffset = -1; // the last committed offset, or the first offset read in this assignment
    private boolean retired;

    PartitionLedger(TopicPartition partition, AtomicInteger uncommitted) {
        this.partition = partition;
        this.uncommitted = uncommitted;
    }

    public TopicPartition partition() {
        return partition;
    }

    /** Where to read again from after the results since the last commit were lost; -1 when nothing was read. */
    synchronized long rewindOffset() {
        return rewindOffset;
    }

    /** The offsets up to {@code nextOffset} are committed. */
    synchronized void committed(long nextOffset) {
        rewindOffset = nextOffset;
    }

    /** Records a call read at {@code offset}; null when the ledger is retired. */
    synchronized Entry add(long offset) {
        if (retired) {
            return null;
        }
        if (rewindOffset < 0) {
            rewindOffset = offset;
        }
        Entry e = new Entry(this, offset);
        entries.addLast(e);
        uncommitted.incrementAndGet();
        return e;
    }

    /**
     * Marks the call done, with the records that carry its result when they are still to be written (exactly-once:
     * written with its offset); false when the ledger is retired and the result must be dropped.
     */
    synchronized boolean markDone(Entry e, List<ProducerRecord<byte[], byte[]>> records) {
        if (retired) {
            return false;
        }
        e.done = true;
        e.records = records;
        return true;
    }

    /**
     * The call will get no result here (the runner was shut down before it finished): it is not done, so offsets are
     * never committed past it and the partition's next reader runs it, but closing does not wait for it.
     */
    synchronized void abandon(Entry e) {
        e.abandoned = true;
    }

    synchronized boolean isRetired() {
        return retired;
    }

    /** Takes the done calls at the head; empty when the head call is not done. */
    synchronized Drained drainDone() {
        if (retired || entries.isEmpty() || !entries.peekFirst().done) {
            return Drained.NONE;
        }
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        long last = -1;
        int count = 0;
        while (!entries.isEmpty() && entries.peekFirst().done) {
            Entry e = entries.pollFirst();
            last = e.offset;
            if (e.records != null) {
                records.addAll(e.records);
            }
            count++;
        }
        uncommitted.addAndGet(-count);
        return new Drained(last + 1, count, records);
    }

    /**
     * Forgets the calls read at or after {@code offset} (calls not handed to the runner, which the partition's next
     * reader reads again); the offsets to commit then stop before them.
     */
    synchronized void truncateFrom(long offset) {
        int removed = 0;
        while (!entries.isEmpty() && entries.peekLast().offset >= offset) {
            entries.pollLast();
            removed++;
        }
        uncommitted.addAndGet(-removed);
    }

    /** Whether every call read so far is done, drained or abandoned: none is still expected to finish. */
    synchronized boolean allDone() {
        for (Entry e : entries) {
            if (!e.done && !e.abandoned) {
                return false;
            }
        }
        return true;
    }

    /** Retires the ledger: its calls no longer count, and their results will be dropped. */
    synchronized void retire() {
        if (!retired) {
            retired = true;
            uncommitted.addAndGet(-entries.size());
            entries.clear();
        }
    }

    /** One call read from the partition. */
    public static final class Entry {
        private final PartitionLedger ledger;
        private final long offset;
        private boolean done; // guarded by the ledger
        private boolean abandoned;
        private List<ProducerRecord<byte[], byte[]>> records;

        Entry(PartitionLedger ledger, long offset) {
            this.ledger = ledger;
            this.offset = offset;
        }

        public PartitionLedger ledger() {
            return ledger;
        }

        public long offset() {
            return offset;
        }
    }

    /**
     * What {@link #drainDone} took.
     *
     * @param nextOffset the offset to commit (after the last drained call)
     * @param count      how many calls were drained
     * @param records    their result records still to be written (exactly-once only)
     */
    record Drained(long nextOffset, int count, List<ProducerRecord<byte[], byte[]>> records) {
        static final Drained NONE = new Drained(-1, 0, List.of());

        boolean isEmpty() {
            return count == 0;
        }
    }
}
