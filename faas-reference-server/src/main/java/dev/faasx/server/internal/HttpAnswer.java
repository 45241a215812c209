package dev.faasx.server.internal;

import java.util.Map;

/**
 * A complete HTTP answer, built away from the I/O threads and written by the HTTP layer.
 *
 * @param status      the status code
 * @param body        the body bytes
 * @param contentType the media type of the body
 * @param headers     further headers, for example {@code Retry-After}
 * @param afterSend   work for the same thread once the answer is on its way, never delaying it
 */
public record HttpAnswer(int status, byte[] body, String contentType, Map<String, String> headers,
                         Runnable afterSend) {
    public static final String JSON = "application/json";
    private static final Runnable NOTHING = () -> { };

    public HttpAnswer(int status, byte[] body, String contentType, Map<String, String> headers) {
        this(status, body, contentType, headers, NOTHING);
    }

    public static HttpAnswer json(int status, byte[] body) {
        return new HttpAnswer(status, body, JSON, Map.of());
    }

    public HttpAnswer withHeader(String name, String value) {
        java.util.Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new HttpAnswer(status, body, contentType, Map.copyOf(copy), afterSend);
    }

    public HttpAnswer withAfterSend(Runnable work) {
        return new HttpAnswer(status, body, contentType, headers, work);
    }
}
