package dev.faasx.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.spec.internal.TreeFields;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a failed HTTP answer of a spec platform into the matching {@link FaasException}:
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>answer</th><th>exception</th></tr>
 *   <tr><td>code {@code TIMEOUT} (any status)</td><td>{@link FaasTimeoutException}</td></tr>
 *   <tr><td>429, or 503 with code {@code OVERLOADED}</td><td>{@link ThrottledException}, with the
 *       {@code Retry-After} delay</td></tr>
 *   <tr><td>404</td><td>{@link FunctionNotFoundException}</td></tr>
 *   <tr><td>409</td><td>{@link ConflictException}</td></tr>
 *   <tr><td>400, 413 and other 4xx</td><td>{@link InvalidRequestException}</td></tr>
 *   <tr><td>401, 403</td><td>{@link AccessDeniedException}</td></tr>
 *   <tr><td>500 with {@code "success":false} (an invoke failure) or code {@code FUNCTION_ERROR}</td>
 *       <td>{@link FunctionErrorException} with the function's {@code error} and {@code error_type}</td></tr>
 *   <tr><td>other 5xx</td><td>{@link ProviderException}: retryable except 501 and 505; may have run except
 *       503</td></tr>
 * </table>
 *
 * <p>The exception's context is the given one plus the status and the body's {@code code}. Its reason is the body's
 * {@code error} (or {@code message}); a body that is not JSON contributes at most its first 200 characters.
 *
 * <p>Stateless and thread-safe.
 *
 * <pre>{@code
 * if (response.statusCode() != 200) {
 *     throw SpecErrors.toException(response.statusCode(), response.body(),
 *             response.headers().firstValue("Retry-After"), ErrorContext.builder("custom-http").jobId(7).build());
 * }
 * }</pre>
 */
public final class SpecErrors {
    private static final int MAX_RAW_MESSAGE = 200;

    private SpecErrors() {
    }

    /** The exception for a decoded error body. */
    public static FaasException toException(int httpStatus, ErrorBody body, ErrorContext context) {
        return toException(httpStatus, body, Optional.empty(), context);
    }

    /** The exception for a decoded error body and the delay a {@code Retry-After} header asked for. */
    public static FaasException toException(int httpStatus, ErrorBody body, Optional<Duration> retryAfter,
                                            ErrorContext context) {
        return map(new Answer(httpStatus, body.error(), body.code(), Optional.empty(), false, body.details()),
                retryAfter, context);
    }

    /** The exception for a raw answer body, which may be any bytes. */
    public static FaasException toException(int httpStatus, byte[] rawBody, ErrorContext context) {
        return toException(httpStatus, rawBody, Optional.empty(), context);
    }

    /**
     * The exception for a raw answer body, which may be any bytes, and the answer's {@code Retry-After} header
     * (delay-seconds or an HTTP date).
     */
    public static FaasException toException(int httpStatus, byte[] rawBody, Optional<String> retryAfterHeader,
                                            ErrorContext context) {
        byte[] body = rawBody == null ? new byte[0] : rawBody;
        Optional<JsonNode> json = SpecCodec.shared().management().readObjectLeniently(body);
        Answer answer = json.map(node -> fromJson(httpStatus, node)).orElseGet(() -> fromText(httpStatus, body));
        return map(answer, retryAfterHeader.flatMap(SpecErrors::parseRetryAfter), context);
    }

    /** The exception for an invoke response that reports {@code success:false}, whatever its HTTP status. */
    public static FunctionErrorException functionError(InvokeResponse response, ErrorContext context) {
        ErrorContext ctx = context.jobId().isPresent() ? context : context.toBuilder().jobId(response.jobId()).build();
        String reason = response.error().filter(e -> !e.isBlank()).orElse("the function failed without a message");
        return new FunctionErrorException(reason, response.errorType().orElse(null), ctx, null);
    }

    /**
     * The delay a {@code Retry-After} header value asks for: delay-seconds ({@code "120"}) or an HTTP date (the
     * time left until then, never negative). Empty when the value is neither.
     */
    public static Optional<Duration> parseRetryAfter(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String v = value.strip();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration left = Duration.between(Instant.now(), at);
            return Optional.of(left.isNegative() ? Duration.ZERO : left);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** What the platform said, whichever form it said it in. */
    private record Answer(int status, String message, Optional<String> code, Optional<String> errorType,
                          boolean invokeFailure, Map<String, String> details) {
    }

    private static Answer fromJson(int status, JsonNode node) {
        String message = text(node, "error").or(() -> text(node, "message")).orElse("");
        JsonNode success = node.get("success");
        boolean invokeFailure = success != null && success.isBoolean() && !success.booleanValue();
        Map<String, String> details;
        try {
            details = new TreeFields(node).textMap("details");
        } catch (TreeFields.Problem notAnObject) {
            details = Map.of();
        }
        return new Answer(status, message, text(node, "code"), text(node, "error_type"), invokeFailure, details);
    }

    private static Answer fromText(int status, byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}+", " ").strip();
        if (text.length() > MAX_RAW_MESSAGE) {
            text = text.substring(0, MAX_RAW_MESSAGE) + "...";
        }
        return new Answer(status, text, Optional.empty(), Optional.empty(), false, Map.of());
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() && !v.textValue().isBlank() ? Optional.of(v.textValue()) : Optional.empty();
    }

    private static FaasException map(Answer a, Optional<Duration> retryAfter, ErrorContext base) {
        ErrorContext.Builder cb = base.toBuilder().status(a.status());
        a.code().ifPresent(cb::code);
        ErrorContext ctx = cb.build();
        Optional<ErrorCode> code = a.code().flatMap(ErrorCode::fromCode);
        String reason = a.message().isBlank() ? defaultReason(a.status()) : a.message();
        int s = a.status();
        if (code.filter(c -> c == ErrorCode.TIMEOUT).isPresent()) {
            return new FaasTimeoutException(reason, timeoutOf(a.details()).orElse(null), ctx);
        }
        if (s == 429 || (s == 503 && code.filter(c -> c == ErrorCode.OVERLOADED).isPresent())) {
            return new ThrottledException(reason, retryAfter.orElse(null), ctx, null);
        }
        if (s == 404) {
            return new FunctionNotFoundException(reason, ctx);
        }
        if (s == 409) {
            return new ConflictException(reason, false, ctx);
        }
        if (s == 401 || s == 403) {
            return new AccessDeniedException(reason, ctx);
        }
        if (s == 408) {
            return new ProviderException(reason, true, false, ctx);
        }
        if (s >= 400 && s < 500) {
            return new InvalidRequestException(reason, List.of(reason), ctx, null);
        }
        if (s == 500 && (a.invokeFailure() || code.filter(c -> c == ErrorCode.FUNCTION_ERROR).isPresent())) {
            return new FunctionErrorException(reason, a.errorType().orElse(null), ctx, null);
        }
        if (s >= 500 && s < 600) {
            return new ProviderException(reason, s != 501 && s != 505, s != 503, ctx);
        }
        return new ProviderException("unexpected HTTP status " + s + ": " + reason, false, true, ctx);
    }

    private static Optional<Duration> timeoutOf(Map<String, String> details) {
        String secs = details.get("timeout_secs");
        if (secs == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(secs.strip())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String defaultReason(int status) {
        return switch (status) {
            case 400 -> "the platform rejected the request as invalid (HTTP 400)";
            case 401, 403 -> "the platform refused the credentials (HTTP " + status + ")";
            case 404 -> "the function is not deployed (HTTP 404)";
            case 409 -> "the function already exists (HTTP 409)";
            case 413 -> "the request is larger than the platform accepts (HTTP 413)";
            case 429 -> "the platform is throttling requests (HTTP 429)";
            case 503 -> "the platform is unavailable (HTTP 503)";
            default -> "the platform answered HTTP " + status + " without an error message";
        };
    }
}
