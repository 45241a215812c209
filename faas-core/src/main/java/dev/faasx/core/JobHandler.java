package dev.faasx.core;

/**
 * The user's job code. The same handler can run in the host process (through a {@link JobRouter}), inside the
 * reference server, or inside a cloud function through that provider's adapter.
 *
 * <pre>{@code
 * JobHandler upper = call -> JobOutput.of(new String(call.body(), UTF_8).toUpperCase().getBytes(UTF_8));
 * JobHandler echo = JobHandler.ofBytes(body -> body);
 * }</pre>
 *
 * <p>A handler may be called from several threads at once; it must be thread-safe. A handler that throws
 * produces a failed {@link JobResult} carrying a {@link FunctionErrorException} with the exception's message;
 * the runner keeps running. Function-side adapters instantiate handler classes through a public no-argument
 * constructor.
 */
@FunctionalInterface
public interface JobHandler {

    /**
     * Runs the job.
     *
     * @param call the call, with its body and metadata
     * @return the output; never {@code null}
     * @throws Exception any failure, reported as a failed result
     */
    JobOutput handle(JobCall call) throws Exception;

    /** A handler from a function of the body bytes alone. */
    static JobHandler ofBytes(BodyFunction function) {
        return call -> JobOutput.of(function.apply(call.body()));
    }

    /** A function from input bytes to output bytes that may throw. */
    @FunctionalInterface
    interface BodyFunction {
        byte[] apply(byte[] body) throws Exception;
    }
}
