package dev.faasx.server.internal;

import java.util.Map;

/**
 * A complete HTTP answer, built away from the I/O threads and written by the HTTP layer.
 *
 * @param status      the status code
 * @param body        the body bytes
 * @param contentType the media type of the body
 * @param headers     further headers, for example {@code Retry-After}
 */
public record HttpAnswer(int status, byte[] body, String contentType, Map<String, String> headers) {
    public static final String JSON = "application/json";

    public static HttpAnswer json(int status, byte[] body) {
        return new HttpAnswer(status, body, JSON, Map.of());
    }

    public HttpAnswer withHeader(String name, String value) {
        java.util.Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpAnswer(status, body, contentType, Map.copyOf(copy));
    }
}
