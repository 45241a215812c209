package dev.faasx.gcp.internal;

import com.google.api.gax.rpc.ApiException;
import com.google.api.gax.rpc.ErrorDetails;
import com.google.rpc.RetryInfo;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Optional;

/**
 * Turns what Google answers (gRPC statuses of the Cloud Functions API, errors of finished operations, HTTP statuses
 * of a function's URL) into the matching {@link FaasException}.
 */
public final class GcpErrors {
    private GcpErrors() {
    }

    /** A failure of an API call made to {@code action} (for example "deploy") the function. */
    public static FaasException translate(Throwable failure, ErrorContext ctx, String action) {
        Throwable cause = Throwables.unwrap(failure);
        if (cause instanceof FaasException f) {
            return f;
        }
        if (cause instanceof ApiException api) {
            return fromStatus(api.getStatusCode().getCode().name(), api.getStatusCode().getCode().getHttpStatusCode(),
                    describe(api), retryDelay(api.getErrorDetails()), ctx, action, cause);
        }
        if (cause instanceof StatusRuntimeException grpc) {
            Status status = grpc.getStatus();
            return fromStatus(status.getCode().name(), -1, String.valueOf(status.getDescription()), null, ctx, action,
                    cause);
        }
        return new ProviderException("cannot " + action + " the function: " + cause, true, false, ctx, cause);
    }

    /**
     * A status by its gRPC code name, for example {@code RESOURCE_EXHAUSTED}; {@code httpStatus} below 0 when not
     * known.
     */
    public static FaasException fromStatus(String code, int httpStatus, String message, Duration retryAfter,
                                           ErrorContext ctx, String action, Throwable cause) {
        ErrorContext c = ctx.toBuilder().code(code).build();
        if (httpStatus > 0) {
            c = c.toBuilder().status(httpStatus).build();
        }
        String reason = "Google Cloud Functions refused to " + action + " the function: " + message;
        return switch (code) {
            case "NOT_FOUND" -> new FunctionNotFoundException("the function does not exist (" + message
                    + "): deploy the job first", c, cause);
            case "ALREADY_EXISTS" -> new ConflictException(reason, false, c, cause);
            case "PERMISSION_DENIED", "UNAUTHENTICATED" -> new AccessDeniedException(reason + " (the credentials need"
                    + " roles/cloudfunctions.developer to manage functions)", c, cause);
            case "RESOURCE_EXHAUSTED" -> new ThrottledException(reason, retryAfter, c, cause);
            case "FAILED_PRECONDITION", "ABORTED" -> new ConflictException(reason, true, c, cause);
            case "INVALID_ARGUMENT", "OUT_OF_RANGE" -> new InvalidRequestException(reason, java.util.List.of(message),
                    c, cause);
            case "DEADLINE_EXCEEDED" -> new FaasTimeoutException("the call to " + action + " the function did not"
                    + " finish in time: " + message, null, c, cause);
            case "UNAVAILABLE" -> new ProviderException("Google Cloud Functions is unavailable: " + message, true,
                    false, c, cause);
            case "CANCELLED" -> new ProviderException("the call to " + action + " the function was cancelled: "
                    + message, true, false, c, cause);
            default -> new ProviderException(reason, code.equals("INTERNAL") || code.equals("UNKNOWN"), false, c,
                    cause);
        };
    }

    /**
     * The error of an HTTP answer from a function's URL. {@code body} is the start of the answer, for the message.
     */
    public static FaasException fromHttp(int status, HttpHeaders headers, String body, ErrorContext ctx,
                                         Duration timeout) {
        ErrorContext c = ctx.toBuilder().status(status).build();
        String detail = body == null || body.isBlank() ? "" : ": " + abbreviate(body);
        return switch (status) {
            case 401, 403 -> new AccessDeniedException("the function's URL refused the call (HTTP " + status + ")"
                    + detail + "; the caller needs roles/cloudfunctions.invoker (roles/run.invoker) on the function"
                    + " and an ID token for its URL", c, null);
            case 404 -> new FunctionNotFoundException("the function's URL answered 404" + detail, c, null);
            case 413 -> new InvalidRequestException("the request is too large for the function (HTTP 413)" + detail, c);
            case 429 -> new ThrottledException("the function is at its limit of instances or requests (HTTP 429)"
                    + detail, retryAfter(headers), c, null);
            case 503 -> new ProviderException("the function is unavailable (HTTP 503)" + detail, true, false, c);
            case 504 -> new FaasTimeoutException("the function did not answer within its timeout (HTTP 504)" + detail,
                    timeout, c);
            // The Functions Framework's own request timer (CLOUD_RUN_TIMEOUT_SECONDS) may answer first.
            case 408 -> new FaasTimeoutException("the function's request timer ended the call (HTTP 408)" + detail,
                    timeout, c);
            case 500, 502 -> new ProviderException("the function's instance failed while handling the call (HTTP "
                    + status + "); the job may have run" + detail, true, true, c);
            default -> status >= 500
                    ? new ProviderException("the function answered HTTP " + status + "; the job may have run" + detail,
                    true, true, c)
                    : new InvalidRequestException("the function answered HTTP " + status + detail, c);
        };
    }

    static Duration retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("Retry-After");
        if (value.isEmpty()) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.get().trim());
            return seconds >= 0 && seconds < 86_400 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Duration retryDelay(ErrorDetails details) {
        if (details == null) {
            return null;
        }
        RetryInfo info = details.getRetryInfo();
        if (info == null || !info.hasRetryDelay()) {
            return null;
        }
        return Duration.ofSeconds(info.getRetryDelay().getSeconds(), info.getRetryDelay().getNanos());
    }

    private static String describe(ApiException api) {
        Throwable cause = api.getCause();
        if (cause instanceof StatusRuntimeException grpc && grpc.getStatus().getDescription() != null) {
            return grpc.getStatus().getDescription();
        }
        return String.valueOf(api.getMessage());
    }

    private static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
