package dev.faasx.gcp.internal;

import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.longrunning.Operation;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.InvalidRequestException;
import java.time.Duration;
import java.util.List;

/**
 * Waits for a long-running operation of the Cloud Functions API by polling {@code GetOperation} with a delay that
 * starts at {@code initialDelay}, grows by half each time up to {@code maxDelay}, and stops at {@code timeout}.
 * Runs on the calling thread.
 */
public final class OperationPoller {
    private final Duration initialDelay;
    private final Duration maxDelay;
    private final Duration timeout;

    public OperationPoller(Duration initialDelay, Duration maxDelay, Duration timeout) {
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
        this.timeout = timeout;
    }

    /**
     * The finished operation; a finished operation with an error becomes a {@link FaasException} carrying Google's
     * message.
     *
     * @throws FaasTimeoutException when it is still running at the timeout
     */
    public Operation await(FunctionServiceClient client, Operation started, ErrorContext ctx, String action) {
        Operation op = started;
        long deadline = System.nanoTime() + timeout.toNanos();
        long delay = initialDelay.toNanos();
        while (!op.getDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new FaasTimeoutException("the operation to " + action + " the function (" + op.getName()
                        + ") was still running after " + timeout + "; it goes on in Google Cloud", timeout, ctx);
            }
            sleepNanos(Math.min(delay, left));
            delay = Math.min(maxDelay.toNanos(), delay + delay / 2);
            try {
                op = client.getOperationsClient().getOperation(op.getName());
            } catch (RuntimeException e) {
                throw GcpErrors.translate(e, ctx, action);
            }
        }
        if (op.hasError()) {
            throw failure(op.getError(), ctx, action);
        }
        return op;
    }

    /** The error of a finished operation as a typed exception carrying Google's message. */
    static FaasException failure(com.google.rpc.Status error, ErrorContext ctx, String action) {
        io.grpc.Status.Code code = io.grpc.Status.fromCodeValue(error.getCode()).getCode();
        String message = error.getMessage();
        if ((code == io.grpc.Status.Code.INVALID_ARGUMENT || code == io.grpc.Status.Code.FAILED_PRECONDITION
                || code == io.grpc.Status.Code.UNKNOWN) && message.toLowerCase(java.util.Locale.ROOT).contains("build")) {
            return new InvalidRequestException("the build of the function failed: " + message, List.of(message),
                    ctx.toBuilder().code(code.name()).build(), null);
        }
        return GcpErrors.fromStatus(code.name(), -1, message, null, ctx, action, null);
    }

    private static void sleepNanos(long nanos) {
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for an operation", e);
        }
    }
}
