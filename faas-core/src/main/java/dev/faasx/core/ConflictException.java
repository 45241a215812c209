package dev.faasx.core;

/**
 * The platform's state conflicts with the request: the function already exists (deploy without overwrite), or an
 * update is still in progress (Lambda's {@code ResourceConflictException}). The latter is retryable once the
 * update has finished.
 */
public final class ConflictException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    public ConflictException(String reason, boolean retryable, ErrorContext context) {
        this(reason, retryable, context, null);
    }

    public ConflictException(String reason, boolean retryable, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.retryable = retryable;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }

    @Override
    public boolean mayHaveRun() {
        return false;
    }
}
