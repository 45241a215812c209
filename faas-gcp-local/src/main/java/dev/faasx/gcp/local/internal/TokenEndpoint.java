package dev.faasx.gcp.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** {@code POST /token}: the OAuth 2.0 JWT-bearer grant google-auth's service-account credentials send for ID tokens. */
public final class TokenEndpoint {
    private static final String GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private final TokenService tokens;
    private final ObjectMapper json;

    public TokenEndpoint(TokenService tokens, ObjectMapper json) {
        this.tokens = tokens;
        this.json = json;
    }

    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("POST")) {
                error(exchange, 405, "invalid_request", "use POST");
                return;
            }
            byte[] body = exchange.getRequestBody().readNBytes(64 * 1024 + 1);
            if (body.length > 64 * 1024) {
                error(exchange, 413, "invalid_request", "the request is too large");
                return;
            }
            Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
            if (!GRANT.equals(form.get("grant_type"))) {
                error(exchange, 400, "unsupported_grant_type", "only " + GRANT + " is supported");
                return;
            }
            String idToken;
            try {
                idToken = tokens.exchange(form.get("assertion"));
            } catch (IllegalArgumentException e) {
                error(exchange, 400, "invalid_grant", e.getMessage());
                return;
            }
            send(exchange, 200, Map.of("id_token", idToken));
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private void error(HttpExchange exchange, int status, String code, String description) throws IOException {
        send(exchange, status, Map.of("error", code, "error_description", description));
    }

    private void send(HttpExchange exchange, int status, Map<String, String> body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().put("Content-Type", List.of("application/json; charset=utf-8"));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
