package dev.faasx.core;

import java.util.List;

/**
 * The request was wrong before it reached any function: an invalid configuration, function id, package or
 * payload (for example a payload over the platform's limit, or a zip without {@code bootstrap}). Every problem
 * found is listed in {@link #violations()}, so one error tells the whole story. Not retryable.
 */
public final class InvalidRequestException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final List<String> violations;

    public InvalidRequestException(String reason, ErrorContext context) {
        this(reason, List.of(reason), context, null);
    }

    public InvalidRequestException(String reason, List<String> violations, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.violations = List.copyOf(violations);
    }

    /** Every problem found, one sentence each; never empty. */
    public List<String> violations() {
        return violations;
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
