package dev.faasx.core;

import java.time.Duration;
import java.util.Optional;

/**
 * The call did not finish in time: the function's own timeout, the runner's deadline or a time limiter. Retryable,
 * but the function may have run (and may still be running), so only idempotent jobs are retried.
 */
public final class FaasTimeoutException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final Duration timeout;

    public FaasTimeoutException(String reason, Duration timeout, ErrorContext context) {
        this(reason, timeout, context, null);
    }

    public FaasTimeoutException(String reason, Duration timeout, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.timeout = timeout;
    }

    /** The limit that was exceeded, when known. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }

    @Override
    public boolean mayHaveRun() {
        return true;
    }
}
