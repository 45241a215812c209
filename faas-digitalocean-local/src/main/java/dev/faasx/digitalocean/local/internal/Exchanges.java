package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** Reading requests and writing JSON answers on the JDK server's exchanges, with size limits. */
final class Exchanges {
    private Exchanges() {
    }

    static long contentLength(HttpExchange ex) {
        try {
            return Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The most of a refused body that is read and dropped, so that the connection stays usable. */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    /**
     * The body, or {@code null} when it is longer than {@code limit}. A refused body is read and dropped (up to
     * {@value #DRAIN_LIMIT} bytes), so that the client reads the answer and may reuse the connection; past that the
     * answer closes the connection instead.
     */
    static byte[] readBody(HttpExchange ex, long limit) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            if (contentLength(ex) > limit) {
                refuse(ex, in);
                return null;
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                refuse(ex, in);
                return null;
            }
            return body;
        }
    }

    private static void refuse(HttpExchange ex, InputStream in) throws IOException {
        long dropped = 0;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while (dropped <= DRAIN_LIMIT && (n = in.read(buffer)) > 0) {
            dropped += n;
        }
        if (dropped > DRAIN_LIMIT) {
            ex.getResponseHeaders().set("Connection", "close");
        }
    }

    static JsonNode readJson(HttpExchange ex, ObjectMapper json, long limit) throws IOException {
        byte[] body = readBody(ex, limit);
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    static int intParam(Map<String, String> q, String name, int fallback) {
        try {
            return q.containsKey(name) ? Math.max(0, Integer.parseInt(q.get(name))) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static void send(HttpExchange ex, int status, ObjectMapper json, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
