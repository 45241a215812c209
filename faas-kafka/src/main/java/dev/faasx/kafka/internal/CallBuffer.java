package dev.faasx.kafka.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Calls read by the poll thread and not yet taken by the runner. Its size is bounded by the source's uncommitted
 * window (the poll thread pauses the partitions when the window is full), not by the buffer itself.
 *
 * <p>Thread-safe. Taking a call and dropping a revoked partition's calls hold the same lock, so a call is either
 * taken (and then in flight) or dropped, never both.
 */
final class CallBuffer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<PendingCall> calls = new ArrayDeque<>();

    /** Adds the calls of one poll at once: one lock and one wake-up for the batch, not one per call. */
    void addAll(List<PendingCall> batch) {
        if (batch.isEmpty()) {
            return;
        }
        lock.lock();
        try {
            calls.addAll(batch);
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next call, waiting up to {@code timeoutNanos}; {@code onTake} runs under the lock, so that
     * registering the call as in flight is atomic with taking it.
     */
    PendingCall poll(long timeoutNanos, Consumer<PendingCall> onTake) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long nanos = timeoutNanos;
            while (calls.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            PendingCall call = calls.pollFirst();
            onTake.accept(call);
            return call;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the calls of {@code partitions} not yet taken (all calls when {@code partitions} is null) and forgets
     * them in their ledgers: the partition's next reader reads them again.
     */
    int drop(Collection<TopicPartition> partitions) {
        lock.lock();
        try {
            Map<PartitionLedger, Long> firstDropped = new HashMap<>();
            int dropped = 0;
            for (Iterator<PendingCall> it = calls.iterator(); it.hasNext(); ) {
                PartitionLedger.Entry entry = it.next().entry();
                if (partitions == null || partitions.contains(entry.ledger().partition())) {
                    it.remove();
                    firstDropped.merge(entry.ledger(), entry.offset(), Math::min);
                    dropped++;
                }
            }
            firstDropped.forEach(PartitionLedger::truncateFrom);
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a waiting taker, for example to let it see that the source closed. */
    void wake() {
        lock.lock();
        try {
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
