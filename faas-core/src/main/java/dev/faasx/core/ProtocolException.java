package dev.faasx.core;

/**
 * A message did not follow the wire contract: malformed or truncated JSON, a field of the wrong type, a byte value
 * outside 0–255, a missing required field, or a response that is not JSON at all. The reason names the field or
 * the position. Not retryable; when it concerns a response, the function may have run.
 */
public final class ProtocolException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final boolean mayHaveRun;

    public ProtocolException(String reason, ErrorContext context) {
        this(reason, true, context, null);
    }

    public ProtocolException(String reason, boolean mayHaveRun, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.mayHaveRun = mayHaveRun;
    }

    @Override
    public boolean isRetryable() {
        return false;
    }

    @Override
    public boolean mayHaveRun() {
        return mayHaveRun;
    }
}
