package dev.faasx.aws.function;

/**
 * Reports, on Lambda's managed Java runtime, a job failure that did not come with an exception of its own (for
 * example a request that was not a faasx invoke request); {@link #errorType()} names the kind of failure.
 */
public final class JobFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String errorType;

    public JobFailedException(String errorType, String message) {
        super(message, null, false, false);
        this.errorType = errorType;
    }

    /** The failure's type, for example {@code dev.faasx.core.ProtocolException}. */
    public String errorType() {
        return errorType;
    }
}
