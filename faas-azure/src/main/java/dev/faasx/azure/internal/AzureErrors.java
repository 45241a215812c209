package dev.faasx.azure.internal;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * Turns Resource Manager and Kudu failures into typed {@link FaasException}s: ARM's {@code {"error":{"code",
 * "message"}}} with its status, 429 with {@code Retry-After}, and network failures. Management calls never run the
 * function, so none of these "may have run" it.
 */
public final class AzureErrors {
    private AzureErrors() {
    }

    /** The typed error for what a management call failed with. */
    public static FaasException translate(Throwable failure, ErrorContext context, String action) {
        Throwable t = Throwables.unwrap(failure);
        if (t instanceof FaasException f) {
            return f;
        }
        if (t instanceof ManagementException m && m.getResponse() != null) {
            String code = m.getValue() == null ? null : m.getValue().getCode();
            String message = m.getValue() == null || m.getValue().getMessage() == null ? m.getMessage()
                    : m.getValue().getMessage();
            return fromStatus(m.getResponse(), code, message, context, action, t);
        }
        if (t instanceof HttpResponseException h && h.getResponse() != null) {
            return fromStatus(h.getResponse(), null, h.getMessage(), context, action, t);
        }
        return new ProviderException(action + " failed: " + describe(t), true, false, context, t);
    }

    /** The typed error for an ARM or Kudu answer with {@code status}. */
    public static FaasException fromStatus(HttpResponse response, String code, String message, ErrorContext context,
                                           String action, Throwable cause) {
        int status = response.getStatusCode();
        ErrorContext.Builder b = context.toBuilder().status(status);
        if (code != null) {
            b.code(code);
        }
        String requestId = response.getHeaderValue("x-ms-request-id");
        if (requestId != null) {
            b.requestId(requestId);
        }
        return fromStatus(status, code, message, retryAfter(response.getHeaderValue("Retry-After")), b.build(),
                action, cause);
    }

    static FaasException fromStatus(int status, String code, String message, Duration retryAfter, ErrorContext ctx,
                                    String action, Throwable cause) {
        String reason = action + " failed: " + (message == null ? "status " + status : message)
                + (code == null ? "" : " (" + code + ")");
        return switch (status) {
            case 400, 422 -> new InvalidRequestException(reason, java.util.List.of(reason), ctx, cause);
            case 401, 403 -> new AccessDeniedException(reason + ": check the credential and that it holds a role"
                    + " such as Contributor (or Website Contributor) on the resource group", ctx, cause);
            case 404 -> new FunctionNotFoundException(reason, ctx, cause);
            case 409 -> new ConflictException(reason, false, ctx, cause);
            case 429 -> new ThrottledException(reason, retryAfter, ctx, cause);
            default -> new ProviderException(reason, status >= 500, false, ctx, cause);
        };
    }

    /** {@code Retry-After} as seconds or an HTTP date; null when absent or unreadable. */
    public static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (v.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d = Duration.between(ZonedDateTime.now(),
                    ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + m;
    }
}
