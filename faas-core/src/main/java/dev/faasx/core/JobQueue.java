package dev.faasx.core;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded, thread-safe {@link JobProducer} for calls that arrive from other threads. {@link #put} blocks when
 * the queue is full, so a fast producer is slowed to the runner's pace; {@link #close()} ends the stream once the
 * queued calls are taken.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.withCapacity(1024);
 * runner.start();                 // built with .producer(queue)
 * queue.put(JobCall.of(7, body));
 * queue.close();                  // the runner finishes after the last queued call
 * }</pre>
 */
public final class JobQueue implements JobProducer, AutoCloseable {
    // One lock guards the calls and the closed flag, so no call can be added after close() returns: once the runner
    // has seen "closed and empty", nothing can arrive behind it and be silently lost. Waiters sleep on conditions;
    // nothing polls, and close() never waits behind a blocked put().
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmptyOrClosed = lock.newCondition();
    private final ArrayDeque<JobCall> calls;
    private final int capacity;
    private boolean closed;

    private JobQueue(int capacity) {
        this.capacity = capacity;
        this.calls = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    public static JobQueue withCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        return new JobQueue(capacity);
    }

    /**
     * Adds a call, waiting while the queue is full.
     *
     * @throws IllegalStateException when the queue is closed (also when it is closed while this waits)
     */
    public void put(JobCall call) throws InterruptedException {
        Objects.requireNonNull(call, "call");
        lock.lockInterruptibly();
        try {
            while (!closed && calls.size() >= capacity) {
                notFull.await();
            }
            checkOpen(call);
            add(call);
        } finally {
            lock.unlock();
        }
    }

    /** Adds a call if there is room now; {@code false} when full. */
    public boolean offer(JobCall call) {
        Objects.requireNonNull(call, "call");
        lock.lock();
        try {
            checkOpen(call);
            if (calls.size() >= capacity) {
                return false;
            }
            add(call);
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void add(JobCall call) {
        calls.addLast(call);
        notEmptyOrClosed.signal();
    }

    @Override
    public Optional<JobCall> next() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (calls.isEmpty() && !closed) {
                notEmptyOrClosed.await();
            }
            JobCall call = calls.pollFirst();
            if (call == null) {
                return Optional.empty(); // closed and empty
            }
            notFull.signal();
            return Optional.of(call);
        } finally {
            lock.unlock();
        }
    }

    public int size() {
        lock.lock();
        try {
            return calls.size();
        } finally {
            lock.unlock();
        }
    }

    /** No more calls will be added; the calls already queued are still delivered. Waiting puts fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmptyOrClosed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen(JobCall call) {
        if (closed) {
            throw new IllegalStateException("the queue is closed; call " + call.callId() + " was not added");
        }
    }
}
