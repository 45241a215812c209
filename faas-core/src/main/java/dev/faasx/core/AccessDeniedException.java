package dev.faasx.core;

/**
 * The platform refused the credentials (HTTP 401/403 or the provider's equivalent). Not retryable: fix the credentials or permissions.
 */
public final class AccessDeniedException extends FaasException {
    private static final long serialVersionUID = 1L;

    public AccessDeniedException(String reason, ErrorContext context) {
        this(reason, context, null);
    }

    public AccessDeniedException(String reason, ErrorContext context, Throwable cause) {
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
