package dev.faasx.core.spec;

import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code code} of an {@link ErrorBody}, each with the HTTP status a spec server answers it with.
 *
 * <pre>{@code
 * ErrorBody body = ErrorBody.of(ErrorCode.FUNCTION_NOT_FOUND, "function job7 is not deployed");
 * int status = ErrorCode.FUNCTION_NOT_FOUND.httpStatus(); // 404
 * }</pre>
 */
public enum ErrorCode {
    /** No function is deployed under the id. */
    FUNCTION_NOT_FOUND(404),
    /** A function with the id already exists. */
    FUNCTION_EXISTS(409),
    /** The request is malformed: bad JSON, a missing field, a wrong type. */
    INVALID_REQUEST(400),
    /** The deploy configuration ({@code X-Blueprint-Config}) is invalid. */
    INVALID_CONFIG(400),
    /** The function id in the path is not allowed. */
    INVALID_FUNCTION_ID(400),
    /** The uploaded package is not a valid {@code bootstrap} zip. */
    INVALID_PACKAGE(400),
    /** The body (package or payload) exceeds the platform's limit. */
    PAYLOAD_TOO_LARGE(413),
    /** Missing or wrong credentials. */
    UNAUTHORIZED(401),
    /** The function did not finish within its timeout. */
    TIMEOUT(504),
    /** The function ran and failed. */
    FUNCTION_ERROR(500),
    /** The platform refuses work for now; retry after the {@code Retry-After} delay. */
    OVERLOADED(503),
    /** The function cannot run, for example because its process crashes on start. */
    UNHEALTHY(503),
    /** The platform itself failed. */
    INTERNAL(500);

    private final int httpStatus;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    /** The HTTP status that goes with this code. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The code named {@code value} exactly (for example {@code "TIMEOUT"}), if it is one of ours. */
    public static Optional<ErrorCode> fromCode(String value) {
        if (value == null) {
            return Optional.empty();
        }
        return Arrays.stream(values()).filter(c -> c.name().equals(value)).findFirst();
    }
}
