package dev.faasx.core.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpTransportTest {
    private static final ErrorContext CTX = ErrorContext.of("test", 7);

    private HttpServer server;
    private URI base;
    private final AtomicReference<String> lastAuth = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", exchange -> {
            lastAuth.set(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[4096]);
            }
        });
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static FaasException failure(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return (FaasException) Throwables.unwrap(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer in 10 s", e);
        }
        throw new AssertionError("the request succeeded");
    }

    @Test
    void sendsAuthenticationHeadersAskedPerRequest() throws Exception {
        AtomicInteger n = new AtomicInteger();
        try (HttpTransport t = HttpTransport.builder("test")
                .authHeaders(() -> Map.of("Authorization", "Bearer t" + n.incrementAndGet())).build()) {
            t.send(HttpRequest.newBuilder(base.resolve("/ok")).GET(), Duration.ofSeconds(5), CTX, "get").get();
            assertThat(lastAuth.get()).isEqualTo("Bearer t1");
            HttpTransport.Reply reply = t.sendInvocation(HttpRequest.newBuilder(base.resolve("/ok")).GET(),
                    Duration.ofSeconds(5), CTX, "invoke").get();
            assertThat(lastAuth.get()).isEqualTo("Bearer t2");
            assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("{\"ok\":true}");
            assertThat(reply.status()).isEqualTo(200);
        }
    }

    @Test
    void aCredentialThatCouldSplitTheRequestFailsItUnsent() throws Exception {
        try (HttpTransport t = HttpTransport.builder("test")
                .authHeaders(() -> Map.of("Authorization", "Bearer a\r\nHost: evil")).build()) {
            FaasException e = failure(t.send(HttpRequest.newBuilder(base.resolve("/ok")).GET(),
                    Duration.ofSeconds(5), CTX, "get"));
            assertThat(e).isInstanceOf(InvalidRequestException.class).hasMessageContaining("line break");
            assertThat(e.getMessage()).doesNotContain("evil");
            assertThat(lastAuth.get()).isNull();
        }
    }

    @Test
    void aRefusedConnectionDidNotRun() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (HttpTransport t = HttpTransport.builder("test").build()) {
            FaasException e = failure(t.sendInvocation(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/x")).POST(HttpRequest.BodyPublishers.ofString("{}")), Duration.ofSeconds(5), CTX, "invoke"));
            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.mayHaveRun()).isFalse();
            assertThat(e.isRetryable()).isTrue();
        }
    }

    @Test
    void anUnknownHostDidNotRun() throws Exception {
        try (HttpTransport t = HttpTransport.builder("test").build()) {
            FaasException e = failure(t.sendInvocation(HttpRequest.newBuilder(URI.create(
                    "http://no-such-host.invalid/x")).GET(), Duration.ofSeconds(5), CTX, "invoke"));
            assertThat(e.mayHaveRun()).isFalse();
        }
    }

    @Test
    void noAnswerInTimeMayHaveRun() throws Exception {
        try (HttpTransport t = HttpTransport.builder("test").build()) {
            FaasException e = failure(t.sendInvocation(HttpRequest.newBuilder(base.resolve("/slow")).GET(),
                    Duration.ofMillis(200), CTX, "invoke"));
            assertThat(e).isInstanceOf(FaasTimeoutException.class);
            assertThat(e.mayHaveRun()).isTrue();
        }
    }

    @Test
    void aBodyOverTheCapIsAProtocolError() throws Exception {
        try (HttpTransport t = HttpTransport.builder("test").maxResponseBytes(1024).build()) {
            FaasException e = failure(t.send(HttpRequest.newBuilder(base.resolve("/big")).GET(),
                    Duration.ofSeconds(5), CTX, "get"));
            assertThat(e).isInstanceOf(ProtocolException.class).hasMessageContaining("1024");
        }
    }

    @Test
    void badSettingsAreRefusedNamingThem() {
        assertThatThrownBy(() -> HttpTransport.builder("test").maxResponseBytes(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxResponseBytes");
        assertThatThrownBy(() -> HttpTransport.builder("test").invocationThreads(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invocationThreads");
        assertThatThrownBy(() -> HttpTransport.builder("test").connectTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> HttpTransport.builder("test").header("Authorization", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Authorization");
        assertThatThrownBy(() -> HttpTransport.builder("Bad Name"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("provider");
    }

    @Test
    void closeIsIdempotentAndLeavesAnInjectedClientUsable() throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        HttpTransport t = HttpTransport.builder("test").client(client).build();
        t.close();
        t.close();
        assertThat(client.send(HttpRequest.newBuilder(base.resolve("/ok")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }
}
