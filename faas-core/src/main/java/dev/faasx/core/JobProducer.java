package dev.faasx.core;

import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Where the runner takes its calls from. The runner asks for the next call only when it has room for one more
 * call in flight, so a producer is never drained into an unbounded queue (back-pressure by pulling).
 *
 * <p>{@link #next()} is called from one runner thread at a time. For calls that arrive from other threads,
 * use a {@link JobQueue}.
 *
 * <pre>{@code
 * JobProducer producer = JobProducer.of(List.of(JobCall.of(1, a), JobCall.of(2, b)));
 * }</pre>
 */
@FunctionalInterface
public interface JobProducer {

    /**
     * The next call, blocking until one is available.
     *
     * @return the next call, or empty when the producer has no more calls (the runner then finishes)
     * @throws InterruptedException when the runner is shutting down while waiting
     */
    Optional<JobCall> next() throws InterruptedException;

    /** A producer of the given calls, in order. */
    static JobProducer of(Iterable<JobCall> calls) {
        Iterator<JobCall> it = calls.iterator();
        return () -> it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    /** A producer of the given calls, in order. */
    static JobProducer of(JobCall... calls) {
        return of(List.of(calls));
    }
}
