package dev.faasx.gcp.local.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function's URL: an HTTP server on its own loopback port that admits only callers with a valid ID token for
 * that URL (like Cloud Functions' IAM check, 403 otherwise), limits concurrent requests to what the function's
 * configuration allows (429 beyond), enforces the function's timeout (504) and forwards the rest to the current
 * instance. Every answer carries a {@code Function-Execution-Id} header. Thread-safe.
 */
public final class FunctionFront implements AutoCloseable {
    private static final int MAX_BODY_BYTES = 32 * 1024 * 1024;
    private static final Set<String> HOP_HEADERS = Set.of("connection", "content-length", "host", "authorization",
            "transfer-encoding", "upgrade", "keep-alive", "expect", "te", "http2-settings");

    private final HttpServer server;
    private final ExecutorService threads;
    private final HttpClient client;
    private final TokenService tokens;
    private final String url;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Backend backend;

    /** Where requests go now, and the limits that apply to them. */
    public record Backend(InvokerProcess instance, int timeoutSeconds, Semaphore slots) {
    }

    public FunctionFront(TokenService tokens, String threadName) throws IOException {
        this.tokens = tokens;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(threads)
                .connectTimeout(Duration.ofSeconds(5)).build();
        this.url = "http://127.0.0.1:" + server.getAddress().getPort();
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The function's URL, which is also the audience its ID tokens must name. */
    public String url() {
        return url;
    }

    /** How many requests reached this URL (admitted or not). */
    public int requests() {
        return requests.get();
    }

    public void route(Backend value) {
        this.backend = value;
    }

    public Backend backend() {
        return backend;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String executionId = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
        exchange.getResponseHeaders().add("Function-Execution-Id", executionId);
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            String rejection = authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                    ? "the request has no bearer token"
                    : tokens.rejection(authorization.substring(7).trim(), url).orElse(null);
            if (rejection != null) {
                text(exchange, 403, "Forbidden: your client does not have permission to get URL "
                        + exchange.getRequestURI().getPath() + " from this server (" + rejection + ")");
                return;
            }
            Backend current = backend;
            if (current == null || !current.instance().isAlive()) {
                text(exchange, 503, "Service Unavailable: the function has no running instance");
                return;
            }
            byte[] body = readBody(exchange.getRequestBody());
            if (body == null) {
                text(exchange, 413, "Request Entity Too Large: the limit is " + MAX_BODY_BYTES + " bytes");
                return;
            }
            if (!current.slots().tryAcquire()) {
                exchange.getResponseHeaders().add("Retry-After", "1");
                text(exchange, 429, "Rate exceeded: the function is at its maximum number of concurrent requests");
                return;
            }
            try {
                forward(exchange, current, body);
            } finally {
                current.slots().release();
            }
        }
    }

    private void forward(HttpExchange exchange, Backend current, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + current.instance().port()
                        + exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery())))
                .timeout(Duration.ofSeconds(current.timeoutSeconds()))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                values.forEach(v -> request.header(name, v));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            text(exchange, 504, "upstream request timeout: the function did not answer within "
                    + current.timeoutSeconds() + " s");
            return;
        } catch (IOException e) {
            text(exchange, 502, "Bad Gateway: the function instance closed the connection (" + e.getMessage() + ")");
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            text(exchange, 503, "Service Unavailable: the emulator is stopping");
            return;
        }
        response.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_HEADERS.contains(lower) && !lower.equals(":status") && !lower.equals("date")) {
                values.forEach(v -> exchange.getResponseHeaders().add(name, v));
            }
        });
        byte[] answer = response.body();
        exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
        if (answer.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    static void text(HttpExchange exchange, int status, String message) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().put("Content-Type", List.of("text/plain; charset=utf-8"));
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
