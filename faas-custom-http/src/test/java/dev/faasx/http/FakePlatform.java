package dev.faasx.http;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A scriptable platform for tests, on the JDK's built-in HTTP server: each request is recorded and answered by the
 * current script, which can also misbehave (cut a body off, drop the connection, stall). Used for the status and
 * error cases the reference server never produces on purpose.
 */
final class FakePlatform implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-platform");
        t.setDaemon(true);
        return t;
    });
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();
    private volatile Function<Recorded, Answer> script = r -> Answer.json(500, "{\"error\":\"no script\"}");

    private FakePlatform(HttpServer server) {
        this.server = server;
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    static FakePlatform start() throws IOException {
        return new FakePlatform(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    /** An HTTPS platform with {@code context}'s key; {@code needClientAuth} turns on mutual TLS. */
    static FakePlatform startTls(SSLContext context, boolean needClientAuth) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters ssl = context.getDefaultSSLParameters();
                ssl.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(ssl);
            }
        });
        return new FakePlatform(https);
    }

    URI baseUri() {
        String scheme = server instanceof HttpsServer ? "https" : "http";
        return URI.create(scheme + "://localhost:" + server.getAddress().getPort());
    }

    /** Answers every following request with {@code answer}. */
    FakePlatform answer(Answer answer) {
        this.script = r -> answer;
        return this;
    }

    /** Answers every following request with what {@code fn} returns for it. */
    FakePlatform answer(Function<Recorded, Answer> fn) {
        this.script = fn;
        return this;
    }

    /** The next request received, waiting up to 10 s. */
    Recorded take() throws InterruptedException {
        Recorded r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no request arrived within 10 s");
        }
        return r;
    }

    int requestCount() {
        return requests.size();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Recorded r = new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(),
                    exchange.getRequestBody().readAllBytes());
            requests.add(r);
            Answer a = script.apply(r);
            a.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            switch (a.behaviour()) {
                case NORMAL -> {
                    exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(a.body());
                    }
                }
                case CUT_OFF -> {
                    exchange.sendResponseHeaders(a.status(), a.body().length * 2L);
                    OutputStream out = exchange.getResponseBody();
                    out.write(a.body());
                    out.flush();
                    throw new IOException("cutting the body off on purpose");
                }
                case DROP -> throw new IOException("dropping the connection on purpose");
                case STALL -> {
                    try {
                        Thread.sleep(a.stall().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(a.body());
                    }
                }
            }
        }
    }

    /** One request as it arrived. */
    record Recorded(String method, String path, String query, Headers headers, byte[] body) {
        String header(String name) {
            return headers.getFirst(name);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    enum Behaviour { NORMAL, CUT_OFF, DROP, STALL }

    /** How to answer one request. */
    record Answer(int status, Map<String, String> headers, byte[] body, Behaviour behaviour, Duration stall) {
        static Answer json(int status, String json) {
            return new Answer(status, Map.of("Content-Type", "application/json"),
                    json.getBytes(StandardCharsets.UTF_8), Behaviour.NORMAL, Duration.ZERO);
        }

        static Answer text(int status, String contentType, String body) {
            return new Answer(status, Map.of("Content-Type", contentType), body.getBytes(StandardCharsets.UTF_8),
                    Behaviour.NORMAL, Duration.ZERO);
        }

        Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, h, body, behaviour, stall);
        }

        Answer cutOff() {
            return new Answer(status, headers, body, Behaviour.CUT_OFF, stall);
        }

        Answer stalled(Duration d) {
            return new Answer(status, headers, body, Behaviour.STALL, d);
        }

        static Answer drop() {
            return new Answer(0, Map.of(), new byte[0], Behaviour.DROP, Duration.ZERO);
        }
    }
}
