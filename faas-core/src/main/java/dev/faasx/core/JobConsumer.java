package dev.faasx.core;

/**
 * Receives the one {@link JobResult} of every call. The runner calls it one result at a time (never
 * concurrently), from its own threads, so it needs no locking of its own but should not block for long. An
 * exception it throws is logged and reported to the listener; it never stops the runner.
 */
@FunctionalInterface
public interface JobConsumer {
    void accept(JobResult result);
}
