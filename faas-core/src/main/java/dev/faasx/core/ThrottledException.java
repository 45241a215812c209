package dev.faasx.core;

import java.time.Duration;
import java.util.Optional;

/**
 * The platform (or the runner's bulkhead) refused the call for now: HTTP 429, Lambda's
 * {@code TooManyRequestsException}, a 503 with {@code Retry-After}, or a full bulkhead. The function did not run,
 * so retrying is always safe; {@link #retryAfter()} says how long the platform asked us to wait.
 */
public final class ThrottledException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final Duration retryAfter;

    public ThrottledException(String reason, ErrorContext context) {
        this(reason, null, context, null);
    }

    public ThrottledException(String reason, Duration retryAfter, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.retryAfter = retryAfter;
    }

    /** The wait the platform asked for, when it said. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }

    @Override
    public boolean mayHaveRun() {
        return false;
    }
}
