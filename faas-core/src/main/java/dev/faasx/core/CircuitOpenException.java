package dev.faasx.core;

/**
 * The runner's circuit breaker for this job is open, so the call was not sent. Not retried at once; the breaker lets calls through again after its wait.
 */
public final class CircuitOpenException extends FaasException {
    private static final long serialVersionUID = 1L;

    public CircuitOpenException(String reason, ErrorContext context) {
        this(reason, context, null);
    }

    public CircuitOpenException(String reason, ErrorContext context, Throwable cause) {
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
