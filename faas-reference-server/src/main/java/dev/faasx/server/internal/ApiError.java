package dev.faasx.server.internal;

import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.ErrorCode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server refuses or cannot serve, with the spec's error code and the HTTP status to answer. Thrown
 * by any layer and turned into an {@link ErrorBody} answer by the HTTP layer; the message must never contain
 * secrets or payloads.
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final int status;
    private final transient Map<String, String> details;

    public ApiError(ErrorCode code, String message) {
        this(code, code.httpStatus(), message, Map.of(), null);
    }

    public ApiError(ErrorCode code, String message, Map<String, String> details) {
        this(code, code.httpStatus(), message, details, null);
    }

    public ApiError(ErrorCode code, int status, String message, Map<String, String> details, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.details = Map.copyOf(details);
    }

    public ErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Map<String, String> details() {
        return details;
    }

    /** This error with one more detail. */
    public ApiError withDetail(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(details);
        copy.put(key, value);
        return new ApiError(code, status, getMessage(), copy, getCause());
    }

    public ErrorBody toBody() {
        return ErrorBody.of(code, getMessage(), details);
    }
}
