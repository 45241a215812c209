package dev.faasx.core.spec;

import dev.faasx.core.internal.Checks;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of every error answer: {@code {"error":"human message","code":"ERROR_CODE","details":{...}}} (spec v1).
 *
 * <p>{@code details} values are kept as strings: a JSON string as its text, any other JSON value (number, object,
 * ...) as its compact JSON text. A v1 error body that carries {@code function_id} (or {@code job_id}) at the top
 * level, as in {@code {"error":"Function not found","function_id":"job0"}}, decodes with that field in the
 * details. Codes other than {@link ErrorCode}'s are kept as they are.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * ErrorBody body = ErrorBody.of(ErrorCode.FUNCTION_NOT_FOUND, "function job7 is not deployed")
 *     .withDetail("function_id", "job7");
 * }</pre>
 *
 * @param error   the human-readable message
 * @param code    the machine-readable code, when sent
 * @param details further context
 */
public record ErrorBody(String error, Optional<String> code, Map<String, String> details) {

    public ErrorBody {
        Objects.requireNonNull(error, "error");
        code = code == null ? Optional.empty() : code;
        details = Checks.copyOfStrings(details, "details");
    }

    public static ErrorBody of(ErrorCode code, String error) {
        return new ErrorBody(error, Optional.of(code.name()), Map.of());
    }

    public static ErrorBody of(ErrorCode code, String error, Map<String, String> details) {
        return new ErrorBody(error, Optional.of(code.name()), details);
    }

    /** This body with one more detail. */
    public ErrorBody withDetail(String key, String value) {
        java.util.LinkedHashMap<String, String> copy = new java.util.LinkedHashMap<>(details);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new ErrorBody(error, code, copy);
    }

    /** The code as one of ours, when it is one. */
    public Optional<ErrorCode> errorCode() {
        return code.flatMap(ErrorCode::fromCode);
    }
}
