package dev.faasx.cloudflare.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.spec.SpecErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Maps Cloudflare's API errors to {@link FaasException}s. The envelope {@code {"success":false,"errors":[{"code":N,
 * "message":"…"}]}} gives the reason (every error's message with its code) and the context's code (the first
 * error's code, for example {@code 10027} for a script that is too large). 429 becomes a {@link ThrottledException}
 * with the {@code Retry-After} delay; 401, 403 and Cloudflare's authentication codes an
 * {@link AccessDeniedException}; 404 a {@link FunctionNotFoundException}; 409 a {@link ConflictException}; other 4xx
 * an {@link InvalidRequestException}; 5xx a {@link ProviderException}.
 */
public final class CloudflareErrors {
    /** Codes Cloudflare uses for missing, malformed or refused credentials (some come with status 400). */
    private static final Set<Integer> AUTH_CODES = Set.of(1000, 6003, 6100, 6101, 6102, 6103, 6111, 9103, 9106, 9109,
            10000, 10001);
    /** "Multiple attempts to modify a resource at the same time": worth retrying. */
    private static final int CONCURRENT_MODIFICATION = 10035;
    private static final int MAX_TEXT = 300;

    private CloudflareErrors() {
    }

    /** The errors of an envelope, or of a body that is not one. */
    record Errors(Optional<Integer> firstCode, String message) {
    }

    public static FaasException toException(int status, byte[] body, Optional<String> retryAfter, ErrorContext base,
                                            ObjectMapper json) {
        Errors errors = read(body, json);
        ErrorContext.Builder cb = base.toBuilder().status(status);
        errors.firstCode().ifPresent(code -> cb.code(Integer.toString(code)));
        ErrorContext ctx = cb.build();
        String reason = errors.message().isBlank() ? "Cloudflare answered HTTP " + status : errors.message();
        int code = errors.firstCode().orElse(0);
        if (status == 429) {
            Duration wait = retryAfter.flatMap(SpecErrors::parseRetryAfter).orElse(null);
            return new ThrottledException("Cloudflare's API rate limit was reached: " + reason, wait, ctx, null);
        }
        if (status == 401 || status == 403 || AUTH_CODES.contains(code)) {
            return new AccessDeniedException("Cloudflare refused the credentials: " + reason
                    + " (check the API token's permissions: Workers Scripts Write, Account Analytics Read)", ctx);
        }
        if (status == 404) {
            return new FunctionNotFoundException(reason, ctx);
        }
        if (status == 409 || code == CONCURRENT_MODIFICATION) {
            return new ConflictException(reason, code == CONCURRENT_MODIFICATION, ctx);
        }
        if (status >= 400 && status < 500) {
            return new InvalidRequestException(reason, List.of(reason), ctx, null);
        }
        return new ProviderException(reason, status != 501 && status != 505, true, ctx);
    }

    /** Whether an error answer says that the script does not exist (HTTP 404 or code 10007). */
    public static boolean isNotFound(int status, byte[] body, ObjectMapper json) {
        return status == 404 || read(body, json).firstCode().filter(c -> c == 10007).isPresent();
    }

    static Errors read(byte[] body, ObjectMapper json) {
        JsonNode root = null;
        try {
            root = body == null || body.length == 0 ? null : json.readTree(body);
        } catch (IOException e) {
            // not JSON: fall through to the text
        }
        if (root != null && root.isObject() && root.path("errors").isArray() && !root.path("errors").isEmpty()) {
            List<String> parts = new ArrayList<>();
            Integer first = null;
            for (JsonNode e : root.get("errors")) {
                Integer code = e.path("code").canConvertToInt() ? e.path("code").asInt() : null;
                if (first == null) {
                    first = code;
                }
                String message = e.path("message").asText("");
                parts.add(code == null ? message : message + " (Cloudflare code " + code + ")");
            }
            return new Errors(Optional.ofNullable(first), String.join("; ", parts));
        }
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8)
                .replaceAll("\\p{Cntrl}+", " ").strip();
        return new Errors(Optional.empty(), text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text);
    }
}
