package dev.faasx.digitalocean.internal;

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
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.SpecErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Maps error answers of DigitalOcean's API ({@code {"id":…,"message":…}}) and of OpenWhisk's API
 * ({@code {"error":…,"code":<transaction id>}}) to {@link FaasException}s: 401/403 access denied, 404 not found,
 * 409 conflict, 413 and other 4xx invalid request, 429 throttled with the {@code Retry-After} delay, 5xx provider
 * failures (retryable; a 5xx may follow a run).
 */
public final class ApiErrors {
    private static final int MAX_TEXT = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ApiErrors() {
    }

    public static FaasException toException(HttpTransport.Reply reply, ErrorContext base, String what) {
        int status = reply.status();
        JsonNode body = parse(reply.body());
        String message = text(body, reply.body());
        ErrorContext.Builder cb = base.toBuilder().status(status);
        String code = body == null ? "" : body.path("id").asText(body.path("code").asText(""));
        if (!code.isEmpty()) {
            cb.code(code);
        }
        ErrorContext ctx = cb.build();
        String reason = what + ": " + (message.isBlank() ? "HTTP " + status : message);
        if (status == 429) {
            Duration wait = reply.headers().firstValue("Retry-After").flatMap(SpecErrors::parseRetryAfter)
                    .orElse(null);
            return new ThrottledException(reason + " (DigitalOcean Functions allows 600 invocations per minute and"
                    + " 120 in flight per namespace)", wait, ctx, null);
        }
        if (status == 401 || status == 403) {
            return new AccessDeniedException(reason + " (check the DigitalOcean API token and its function"
                    + " permissions)", ctx);
        }
        if (status == 404) {
            return new FunctionNotFoundException(reason, ctx);
        }
        if (status == 409) {
            return new ConflictException(reason, false, ctx);
        }
        if (status >= 400 && status < 500) {
            return new InvalidRequestException(reason, List.of(reason), ctx, null);
        }
        return new ProviderException(reason, status != 501 && status != 505, true, ctx);
    }

    static JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String text(JsonNode body, byte[] raw) {
        if (body != null) {
            if (body.path("error").isTextual()) {
                return body.get("error").asText();
            }
            if (body.path("message").isTextual()) {
                return body.get("message").asText();
            }
        }
        String text = raw == null ? "" : new String(raw, StandardCharsets.UTF_8).replaceAll("\\p{Cntrl}+", " ")
                .strip();
        return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) + "..." : text;
    }
}
