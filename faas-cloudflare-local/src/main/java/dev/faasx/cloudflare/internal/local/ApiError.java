package dev.faasx.cloudflare.internal.local;

/**
 * A failure the local API answers with Cloudflare's error envelope: an HTTP status plus one {@code errors[]} entry
 * with Cloudflare's numeric code and message.
 */
final class ApiError extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final int code;
    private final transient Long retryAfterSeconds;

    ApiError(int status, int code, String message) {
        this(status, code, message, null);
    }

    ApiError(int status, int code, String message, Long retryAfterSeconds) {
        super(message);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    int status() {
        return status;
    }

    int code() {
        return code;
    }

    Long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    static ApiError scriptNotFound(String name) {
        return new ApiError(404, 10007, "workers.api.error.script_not_found: no Worker named '" + name + "'");
    }

    static ApiError validation(String message) {
        return new ApiError(400, 10021, message);
    }

    static ApiError badBody(String message) {
        return new ApiError(400, 10026, "Could not parse request body: " + message);
    }
}
