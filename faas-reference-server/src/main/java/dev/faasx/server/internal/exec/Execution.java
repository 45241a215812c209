package dev.faasx.server.internal.exec;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What happened when one request was handed to one instance of a function. The bytes are the function's answer as
 * it wrote it (not yet parsed); every figure is measured by the server or absent.
 *
 * @param outcome      how the run ended
 * @param output       what the function wrote on stdout (v1) or its answer line (persistent), possibly empty
 * @param exitCode     the process's exit status, when it exited
 * @param duration     from handing over the request to having the answer (or giving up)
 * @param memoryUsedMb the instance's peak resident memory as the OS reports it, when it could be read reliably
 * @param coldStart    whether the instance was started for this call (false only for a pre-started instance)
 * @param initDuration how long starting the instance took, for a cold start
 * @param stderr       the end of what the process wrote on stderr, for error messages
 * @param afterAnswer  work to do once the answer is on its way (waiting for a process that answered to exit)
 */
public record Execution(Outcome outcome, byte[] output, OptionalInt exitCode, Duration duration,
                        OptionalLong memoryUsedMb, boolean coldStart, Optional<Duration> initDuration,
                        String stderr, Runnable afterAnswer) {

    private static final Runnable NOTHING = () -> { };

    /** An execution with nothing left to do after the answer. */
    public Execution(Outcome outcome, byte[] output, OptionalInt exitCode, Duration duration,
                     OptionalLong memoryUsedMb, boolean coldStart, Optional<Duration> initDuration, String stderr) {
        this(outcome, output, exitCode, duration, memoryUsedMb, coldStart, initDuration, stderr, NOTHING);
    }

    /** How a run ended. */
    public enum Outcome {
        /** The process answered (v1: closed stdout and exited; persistent: wrote its line). */
        COMPLETED,
        /** The process exited or closed its output without answering. */
        CRASHED,
        /** The function's timeout passed; the process tree was killed. */
        TIMED_OUT,
        /** The answer was larger than the server accepts; the process tree was killed. */
        OUTPUT_TOO_LARGE,
        /** The instance used more memory than its {@code memory_mb}; the kernel killed it. */
        OUT_OF_MEMORY,
        /** The server stopped the run (shutting down or removing the function). */
        ABORTED,
        /** No instance could be started. */
        FAILED_TO_START
    }

    static Execution failedToStart(String reason, boolean cold) {
        return new Execution(Outcome.FAILED_TO_START, new byte[0], OptionalInt.empty(), Duration.ZERO,
                OptionalLong.empty(), cold, Optional.empty(), reason);
    }
}
