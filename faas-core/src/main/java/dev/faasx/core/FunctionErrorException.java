package dev.faasx.core;

import java.util.Optional;

/**
 * The job's own code ran and failed: a local handler threw, a function answered {@code success:false}, or Lambda
 * set {@code X-Amz-Function-Error}. The reason is the function's error message. Not retryable (the same input
 * will most likely fail again), and the function did run.
 */
public final class FunctionErrorException extends FaasException {
    private static final long serialVersionUID = 1L;

    private final String errorType;

    public FunctionErrorException(String reason, ErrorContext context) {
        this(reason, null, context, null);
    }

    /**
     * @param errorType the error's type as the function reported it (an exception class name, Lambda's
     *                  {@code errorType}); may be {@code null}
     */
    public FunctionErrorException(String reason, String errorType, ErrorContext context, Throwable cause) {
        super(reason, context, cause);
        this.errorType = errorType;
    }

    /** The error's type as the function reported it, for example {@code java.lang.IllegalStateException}. */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
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
