package dev.faasx.cloudflare.internal.local;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Forwards an invocation to a deployed Worker, as workers.dev would: method, path below the Worker's prefix, query,
 * headers (not hop-by-hop ones) and body, and the Worker's answer back. A script that does not exist or is not
 * enabled on workers.dev answers 404, as Cloudflare does.
 */
final class WorkerProxy {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
            "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
            "expect", "http2-settings");
    private static final long MAX_BODY = 100L * 1024 * 1024;

    private final HttpClient client;
    private final ScriptService scripts;
    private final Duration timeout;

    WorkerProxy(HttpClient client, ScriptService scripts, Duration timeout) {
        this.client = client;
        this.scripts = scripts;
        this.timeout = timeout;
    }

    void forward(HttpExchange exchange, String script, String pathAndQuery) throws IOException {
        Optional<URI> target = scripts.route(script);
        if (target.isEmpty()) {
            text(exchange, 404, "There is nothing here yet: no Worker '" + script + "' is enabled on workers.dev");
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes((int) MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            text(exchange, 413, "request body larger than " + MAX_BODY + " bytes");
            return;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target.get().resolve(pathAndQuery)).timeout(timeout)
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                h.getValue().forEach(v -> request.header(h.getKey(), v));
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            text(exchange, 504, "the Worker did not answer within " + timeout);
            return;
        } catch (ConnectException e) {
            text(exchange, 502, "the Worker '" + script + "' is not reachable");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            text(exchange, 503, "interrupted");
            return;
        }
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
        }
    }

    static void text(HttpExchange exchange, int status, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
