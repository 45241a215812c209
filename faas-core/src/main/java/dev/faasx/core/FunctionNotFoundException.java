package dev.faasx.core;

/**
 * The function (or deployment) for a job does not exist on the platform. Deploy it first; not retryable.
 */
public final class FunctionNotFoundException extends FaasException {
    private static final long serialVersionUID = 1L;

    public FunctionNotFoundException(String reason, ErrorContext context) {
        this(reason, context, null);
    }

    public FunctionNotFoundException(String reason, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }

    @Override
    public boolean mayHaveRun() {
        return false;
    }
}
