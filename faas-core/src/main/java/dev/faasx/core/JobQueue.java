package dev.faasx.core;

import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

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
    private final BlockingQueue<JobCall> calls;
    // Adding and closing hold this lock, so no call can be added after close() returns: once the runner has seen
    // "closed and empty", nothing can arrive behind it and be silently lost.
    private final Object addLock = new Object();
    private volatile boolean closed;

    private JobQueue(int capacity) {
        this.calls = new ArrayBlockingQueue<>(capacity);
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
     * @throws IllegalStateException when the queue is closed
     */
    public void put(JobCall call) throws InterruptedException {
        Objects.requireNonNull(call, "call");
        while (true) {
            synchronized (addLock) {
                checkOpen(call);
                if (calls.offer(call, 50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    /** Adds a call if there is room now; {@code false} when full. */
    public boolean offer(JobCall call) {
        Objects.requireNonNull(call, "call");
        synchronized (addLock) {
            checkOpen(call);
            return calls.offer(call);
        }
    }

    @Override
    public Optional<JobCall> next() throws InterruptedException {
        while (true) {
            JobCall call = calls.poll(50, TimeUnit.MILLISECONDS);
            if (call != null) {
                return Optional.of(call);
            }
            if (closed && calls.isEmpty()) {
                return Optional.empty();
            }
        }
    }

    public int size() {
        return calls.size();
    }

    /** No more calls will be added; the calls already queued are still delivered. */
    @Override
    public void close() {
        synchronized (addLock) {
            closed = true;
        }
    }

    private void checkOpen(JobCall call) {
        if (closed) {
            throw new IllegalStateException("the queue is closed; call " + call.callId() + " was not added");
        }
    }
}
