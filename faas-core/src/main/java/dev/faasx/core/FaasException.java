package dev.faasx.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The root of every error faasx reports. Unchecked and sealed: a {@code switch} over the subtypes is exhaustive.
 *
 * <p>Every instance carries an {@link ErrorContext} (provider, job id, function id, request id, status, provider
 * error code) and answers two questions a retry policy needs:
 * <ul>
 *   <li>{@link #isRetryable()}: is the cause transient, so that trying again may succeed?</li>
 *   <li>{@link #mayHaveRun()}: could the function already have run (so that a retry would run it twice)?</li>
 * </ul>
 * The runner retries only errors that are retryable and either certainly did not run or belong to a job the user
 * marked idempotent.
 *
 * <pre>{@code
 * switch (failure.error()) {
 *     case ThrottledException t -> backOff(t.retryAfter());
 *     case FunctionErrorException f -> log.warn("job failed: {}", f.getMessage());
 *     default -> log.error("call failed", failure.error());
 * }
 * }</pre>
 */
public abstract sealed class FaasException extends RuntimeException
        permits FunctionErrorException, FunctionNotFoundException, FaasTimeoutException, ThrottledException,
        InvalidRequestException, AccessDeniedException, ConflictException, ProviderException, ProtocolException,
        CallCancelledException, NoRouteException, CircuitOpenException {

    private static final long serialVersionUID = 1L;

    private final ErrorContext context;
    private final String reason;

    protected FaasException(String reason, ErrorContext context, Throwable cause) {
        super(reason, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.context = Objects.requireNonNull(context, "context");
    }

    /** The message without the context suffix, for example the function's own error text. */
    public String reason() {
        return reason;
    }

    /** The reason followed by the context: {@code "Rate exceeded [provider=aws-lambda, job=7, status=429]"}. */
    @Override
    public String getMessage() {
        return reason + " [" + context.describe() + "]";
    }

    public ErrorContext context() {
        return context;
    }

    public String provider() {
        return context.provider();
    }

    public OptionalLong jobId() {
        return context.jobId();
    }

    public Optional<String> functionId() {
        return context.functionId();
    }

    public Optional<String> requestId() {
        return context.requestId();
    }

    public OptionalInt status() {
        return context.status();
    }

    public Optional<String> errorCode() {
        return context.code();
    }

    /** Whether the cause is transient, so that the same call may succeed later. */
    public abstract boolean isRetryable();

    /**
     * Whether the function may already have run (fully or partly) despite this error. A retry of such a call may
     * run the job twice, so the runner retries it only for jobs marked idempotent.
     */
    public abstract boolean mayHaveRun();
}
