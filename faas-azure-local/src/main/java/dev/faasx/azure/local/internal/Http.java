package dev.faasx.azure.local.internal;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request as the emulator's APIs see it, and the answer they give. */
public final class Http {
    private Http() {
    }

    /** A request: method, target host (from {@code X-Forwarded-Host} or {@code Host}), path, query, headers, body. */
    public record Request(String method, String host, String path, String rawQuery, Map<String, String> query,
                          Headers headers, byte[] body) {
        public String header(String name) {
            return headers.getFirst(name);
        }
    }

    /** An answer. */
    public record Response(int status, Map<String, List<String>> headers, byte[] body) {
        public static Response of(int status, String contentType, byte[] body) {
            Map<String, List<String>> h = new LinkedHashMap<>();
            if (contentType != null) {
                h.put("Content-Type", List.of(contentType));
            }
            return new Response(status, h, body);
        }

        public static Response empty(int status) {
            return new Response(status, new LinkedHashMap<>(), new byte[0]);
        }

        public Response withHeader(String name, String value) {
            Map<String, List<String>> h = new LinkedHashMap<>(headers);
            h.put(name, List.of(value));
            return new Response(status, h, body);
        }
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(key.toLowerCase(Locale.ROOT), value);
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    static void send(HttpExchange exchange, Response response) throws IOException {
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().put(k, v));
        byte[] body = response.body();
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(response.status(), body.length == 0 || head ? -1 : body.length);
        if (body.length > 0 && !head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
