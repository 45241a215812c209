package dev.faasx.aws.local.internal;

/**
 * An error the emulator answers the way Lambda does: an HTTP status, the {@code x-amzn-ErrorType} header naming the
 * exception, and a JSON body {@code {"Type":"User","Message":"..."}} (Type {@code Service} for server faults).
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String reason;
    final String retryAfterSeconds;

    ApiError(int status, String type, String message) {
        this(status, type, message, null, null);
    }

    ApiError(int status, String type, String message, String reason, String retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    static ApiError notFound(String message) {
        return new ApiError(404, "ResourceNotFoundException", message);
    }

    static ApiError conflict(String message) {
        return new ApiError(409, "ResourceConflictException", message);
    }

    static ApiError invalid(String message) {
        return new ApiError(400, "InvalidParameterValueException", message);
    }

    static ApiError throttled(String reason) {
        return new ApiError(429, "TooManyRequestsException", "Rate Exceeded.", reason, "1");
    }
}
