package dev.faasx.server.internal.exec;

import java.time.Duration;
import java.util.Optional;

/**
 * The instances of one deployed function version: pre-spawned one-shot processes (v1) or persistent workers. Admission
 * ({@code max_concurrency}) is the caller's business; a pool only runs what it is given.
 *
 * <p>Implementations are thread-safe.
 */
public interface InstancePool extends AutoCloseable {

    /**
     * Runs one request on an instance. Blocks the calling thread (never an I/O thread) until the function answers,
     * its timeout passes or the run is aborted.
     *
     * @param request         the request JSON, a single line without its newline
     * @param queueDeadline   {@link System#nanoTime()} after which waiting for a free instance gives up
     * @throws NoInstanceException when no instance became free before {@code queueDeadline}
     */
    Execution execute(byte[] request, long queueDeadline);

    /**
     * Starts instances until {@code instances} are warm (waiting for each to be ready) and keeps that many warm from
     * now on; answers how many are warm, at most {@code instances}.
     */
    int warm(int instances);

    /**
     * Starts one instance now, to have it ready for the first call, without changing how many are kept warm; answers
     * how long starting it took, or empty when it could not start.
     */
    Optional<Duration> startInstance();

    /** Empty when an instance can start; otherwise why not (for example, the bootstrap's exit status and stderr). */
    Optional<String> probe();

    /** Instances started and waiting for work, and instances running a request. */
    InstanceCounts counts();

    /** Kills every instance now; runs in progress end as {@link Execution.Outcome#ABORTED}. */
    void abort();

    /** Stops idle instances now and lets running ones finish; later calls fail. */
    @Override
    void close();

    /** How many instances are in which state. */
    record InstanceCounts(int idle, int busy) {
    }

    /** No instance became free in time. */
    final class NoInstanceException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public NoInstanceException(String message) {
            super(message, null, false, false);
        }
    }
}
