package dev.faasx.server.internal.http;

import dev.faasx.core.spec.ErrorCode;
import dev.faasx.server.internal.ApiError;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The safe defaults of a server without an API key, which web pages in a browser on the same machine could otherwise
 * use: only loopback {@code Host} names (a foreign name is the sign of DNS rebinding), no cross-origin requests (an
 * {@code Origin} that is not this server on a loopback name), and invocations only with a JSON content type (a page
 * can send {@code text/plain} without asking the browser's permission; JSON needs a preflight this server never
 * grants). Stateless.
 */
final class LocalOnly {
    private LocalOnly() {
    }

    /** Why the request is refused, or empty when it may pass. */
    static Optional<ApiError> check(HttpServerExchange exchange) {
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        if (host == null || !isLoopbackName(hostName(host))) {
            return Optional.of(forbidden("the Host header '" + printable(host) + "' is not a loopback name: without "
                    + "an API key this server answers only requests for localhost, 127.0.0.1 or [::1]"));
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null && !isLoopbackOrigin(origin)) {
            return Optional.of(forbidden("cross-origin requests are refused: the Origin '" + printable(origin)
                    + "' is not this server on a loopback name; set an API key to call it from elsewhere"));
        }
        if (exchange.getRequestMethod().equals(Methods.POST) && exchange.getRequestPath().endsWith("/invoke")
                && !isJson(exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE))) {
            return Optional.of(new ApiError(ErrorCode.INVALID_REQUEST, 415, "an invocation must be sent with "
                    + "'Content-Type: application/json', was '" + printable(exchange.getRequestHeaders()
                    .getFirst(Headers.CONTENT_TYPE)) + "'", Map.of(), null));
        }
        return Optional.empty();
    }

    private static ApiError forbidden(String message) {
        return new ApiError(ErrorCode.UNAUTHORIZED, 403, message, Map.of(), null);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    private static String hostName(String hostHeader) {
        String host = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }

    static boolean isLoopbackName(String name) {
        return name.equals("localhost") || name.endsWith(".localhost") || name.equals("[::1]")
                || name.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static boolean isLoopbackOrigin(String origin) {
        try {
            URI uri = URI.create(origin.trim());
            String host = uri.getHost();
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && host != null
                    && isLoopbackName(host.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String printable(String value) {
        return value == null ? "" : dev.faasx.server.internal.store.FunctionIds.printable(value);
    }
}
