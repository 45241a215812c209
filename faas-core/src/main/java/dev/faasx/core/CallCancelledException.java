package dev.faasx.core;

/**
 * The call was cancelled before it finished: the runner shut down past its grace period, or the caller cancelled it. The function may or may not have run.
 */
public final class CallCancelledException extends FaasException {
    private static final long serialVersionUID = 1L;

    public CallCancelledException(String reason, ErrorContext context) {
        this(reason, context, null);
    }

    public CallCancelledException(String reason, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
    }

    @Override
    public boolean isRetryable() {
        return false;
    }

    @Override
    public boolean mayHaveRun() {
        return true;
    }
}
