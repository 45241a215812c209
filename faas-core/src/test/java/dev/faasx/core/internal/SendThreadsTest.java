package dev.faasx.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SendThreadsTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;
    private URI fast;
    private URI slow;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/slow", exchange -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        fast = URI.create(base + "/echo");
        slow = URI.create(base + "/slow");
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Nested
    class WithThreads {
        @Test
        void answersWithTheResponseCompletedOnItsOwnThread() {
            try (SendThreads sends = new SendThreads("test-send", 4)) {
                AtomicReference<String> completedOn = new AtomicReference<>();
                HttpResponse<String> response = sends.send(client, post(fast, "hello"),
                                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                        .whenComplete((r, e) -> completedOn.set(Thread.currentThread().getName()))
                        .join();

                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("hello");
                assertThat(completedOn.get()).startsWith("test-send-");
                assertThat(sends.threads()).isEqualTo(1);
            }
        }

        @Test
        void reusesIdleThreadsForLaterRequests() {
            try (SendThreads sends = new SendThreads("test-send", 64)) {
                for (int i = 0; i < 50; i++) {
                    assertThat(sends.send(client, post(fast, "x" + i), HttpResponse.BodyHandlers.ofString())
                            .join().body()).isEqualTo("x" + i);
                }
                // A thread completes the future just before it is idle again, so the next request sometimes starts a
                // second thread; it never takes one thread per request.
                assertThat(sends.threads()).isBetween(1, 10);
            }
        }

        @Test
        void aRequestBeyondTheLimitDoesNotWaitForABusyThread() {
            try (SendThreads sends = new SendThreads("test-send", 1)) {
                CompletableFuture<HttpResponse<Void>> held = sends.send(client, post(slow, ""),
                        HttpResponse.BodyHandlers.discarding());

                HttpResponse<String> next = sends.send(client, post(fast, "not blocked"),
                        HttpResponse.BodyHandlers.ofString()).orTimeout(20, TimeUnit.SECONDS).join();

                assertThat(next.body()).isEqualTo("not blocked");
                assertThat(held).isNotDone();
                assertThat(sends.threads()).isEqualTo(1);
                release.countDown();
                assertThat(held.join().statusCode()).isEqualTo(204);
            }
        }

        @Test
        void cancellingTheFutureAbortsTheRequestAndFreesItsThread() throws InterruptedException {
            try (SendThreads sends = new SendThreads("test-send", 1)) {
                CompletableFuture<HttpResponse<Void>> held = sends.send(client, post(slow, ""),
                        HttpResponse.BodyHandlers.discarding());
                awaitThreads(sends, 1);

                held.cancel(true);

                // The only thread is free again: a later request is sent on it, not through sendAsync.
                String completedOn = "";
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!completedOn.startsWith("test-send-") && System.nanoTime() < deadline) {
                    AtomicReference<String> thread = new AtomicReference<>();
                    sends.send(client, post(fast, "again"), HttpResponse.BodyHandlers.ofString())
                            .whenComplete((r, e) -> thread.set(Thread.currentThread().getName())).join();
                    completedOn = thread.get();
                    if (!completedOn.startsWith("test-send-")) {
                        Thread.sleep(20);
                    }
                }
                assertThat(completedOn).startsWith("test-send-");
                assertThat(sends.threads()).isEqualTo(1);
            }
        }

        private void awaitThreads(SendThreads sends, int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sends.threads() < count && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }

        @Test
        void failsTheFutureWithTheTransportError() throws IOException {
            int closedPort;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                closedPort = socket.getLocalPort();
            }
            try (SendThreads sends = new SendThreads("test-send", 2)) {
                CompletableFuture<HttpResponse<String>> answer = sends.send(client,
                        post(URI.create("http://127.0.0.1:" + closedPort + "/"), "x"),
                        HttpResponse.BodyHandlers.ofString());

                assertThatThrownBy(answer::join).hasCauseInstanceOf(ConnectException.class);
            }
        }

        @Test
        void afterCloseRequestsStillGetAnswers() {
            SendThreads sends = new SendThreads("test-send", 2);
            sends.close();

            assertThat(sends.send(client, post(fast, "late"), HttpResponse.BodyHandlers.ofString()).join().body())
                    .isEqualTo("late");
        }
    }

    @Nested
    class WithoutThreads {
        @Test
        void sendsEveryRequestAsynchronouslyAndStartsNoThread() {
            try (SendThreads sends = new SendThreads("test-send", 0)) {
                assertThat(sends.send(client, post(fast, "async"), HttpResponse.BodyHandlers.ofString()).join()
                        .body()).isEqualTo("async");
                assertThat(sends.threads()).isZero();
            }
        }

        @Test
        void refusesANegativeLimit() {
            assertThatThrownBy(() -> new SendThreads("test-send", -1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxThreads");
        }
    }
}
