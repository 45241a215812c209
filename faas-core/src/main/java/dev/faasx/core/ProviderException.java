package dev.faasx.core;

/**
 * The platform or the network failed: a 5xx, a refused or reset connection, an unavailable service. Whether it is
 * retryable and whether the function may have run depend on where the failure happened, so the executor that
 * raises it says both; a connection that was refused before the request was sent did not run, a connection reset
 * while waiting for the answer may have.
 */
public final class ProviderException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final boolean mayHaveRun;

    public ProviderException(String reason, boolean retryable, boolean mayHaveRun, ErrorContext context) {
        this(reason, retryable, mayHaveRun, context, null);
    }

    public ProviderException(String reason, boolean retryable, boolean mayHaveRun, ErrorContext context,
                             Throwable cause) {
        super(reason, context, cause);
        this.retryable = retryable;
        this.mayHaveRun = mayHaveRun;
    }

    @Override
    public boolean isRetryable() {
        return retryable;
    }

    @Override
    public boolean mayHaveRun() {
        return mayHaveRun;
    }
}
