package dev.faasx.core;

/**
 * Observes what a {@link FaasRunner} does with each call: for logging, metrics or tracing. Every method has an
 * empty default, so a listener overrides only what it needs; a runner may have several listeners, called in the
 * order they were added.
 *
 * <p>For every call, {@link #callStarted} comes first and exactly one of {@link #callSucceeded} or
 * {@link #callFailed} comes last, whether the call came from the producer or from {@link FaasRunner#call}.
 * In between there may be {@link #callDelegated}, {@link #callRetrying} and {@link #callFallingBack}.
 *
 * <p>Methods are called on the runner's threads and on the threads that complete remote invocations, for several
 * calls at once: a listener must be thread-safe and fast (hand slow work to your own executor). An exception a
 * listener throws is logged and otherwise ignored; it never changes the call's result or stops the runner.
 *
 * <pre>{@code
 * RunnerListener metrics = new RunnerListener() {
 *     @Override
 *     public void callFailed(JobCall call, JobResult.Failure result) {
 *         failures.increment(result.error().getClass().getSimpleName());
 *     }
 * };
 * FaasRunner runner = FaasRunner.builder().router(router).listener(metrics).build();
 * }</pre>
 */
public interface RunnerListener {

    /** The runner took the call and is about to route it. */
    default void callStarted(JobCall call) {
    }

    /** The call is delegated to {@code executor} (its job id is registered in the {@link FaasRegistry}). */
    default void callDelegated(JobCall call, FaasExecutor executor) {
    }

    /**
     * A remote attempt failed with {@code cause}, which is safe to retry, and attempt number {@code attempt}
     * (2 for the first retry) is about to start.
     */
    default void callRetrying(JobCall call, int attempt, FaasException cause) {
    }

    /** The remote call failed with {@code cause} (or its circuit is open); the local handler runs instead. */
    default void callFallingBack(JobCall call, FaasException cause) {
    }

    /** The call produced output; {@code result} is the one result of the call. */
    default void callSucceeded(JobCall call, JobResult.Success result) {
    }

    /** The call failed; {@code result} is the one result of the call and its error says why. */
    default void callFailed(JobCall call, JobResult.Failure result) {
    }

    /** The {@link JobConsumer} threw while accepting {@code result}; the runner goes on. */
    default void consumerFailed(JobResult result, Throwable error) {
    }

    /** The {@link JobProducer} threw; the runner takes no more calls from it and finishes those in flight. */
    default void producerFailed(Throwable error) {
    }
}
