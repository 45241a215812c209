package dev.faasx.core;

/**
 * The runner has neither a local handler nor an executor for the call's job id. Register one with {@code JobRouter} or {@link FaasRegistry}.
 */
public final class NoRouteException extends FaasException {
    private static final long serialVersionUID = 1L;

    public NoRouteException(String reason, ErrorContext context) {
        this(reason, context, null);
    }

    public NoRouteException(String reason, ErrorContext context, Throwable cause) {
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
