package dev.faasx.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import dev.faasx.core.FaasException;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * How the executor's HTTP transport classifies failures: what certainly did not reach a Worker, what may have run,
 * and answers that are too large. A JDK {@link HttpServer} plays the Worker's URL (and Cloudflare's error pages).
 */
class CloudflareTransportTest {
    private static final CloudflareCredentials CREDENTIALS = CloudflareCredentials.apiToken("acct", "token-1");

    private HttpServer server;
    private final AtomicReference<Answer> answer = new AtomicReference<>();

    private record Answer(int status, String contentType, byte[] body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            Answer a = answer.get();
            exchange.getResponseHeaders().set("Content-Type", a.contentType());
            exchange.sendResponseHeaders(a.status(), a.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(a.body());
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private CloudflareWorkersExecutorBuilder executorAt(URI workerUrl) {
        return CloudflareWorkersExecutor.builder().credentials(CREDENTIALS).apiBaseUrl(base())
                .workerUrls(script -> workerUrl).withoutInvocationSecret().withoutAnalytics();
    }

    private static Throwable failureOf(CloudflareWorkersExecutor executor) {
        Throwable t = catchThrowable(() -> executor.invokeWithMetrics(JobCall.of(7, "x".getBytes(UTF_8)))
                .get(20, TimeUnit.SECONDS));
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    @Nested
    class FailuresBeforeTheWorkerRuns {
        @Test
        void aRefusedConnectionDidNotRun() throws IOException {
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closedPort = s.getLocalPort();
            }
            try (CloudflareWorkersExecutor executor = executorAt(URI.create("http://127.0.0.1:" + closedPort + "/"))
                    .build()) {
                Throwable t = failureOf(executor);

                assertThat(t).isInstanceOf(ProviderException.class);
                assertThat(((FaasException) t).mayHaveRun()).isFalse();
                assertThat(((FaasException) t).isRetryable()).isTrue();
            }
        }

        @Test
        void anUnknownHostDidNotRun() {
            try (CloudflareWorkersExecutor executor = executorAt(URI.create("http://faasx-no-such-host.invalid/"))
                    .build()) {
                Throwable t = failureOf(executor);

                assertThat(t).isInstanceOf(ProviderException.class);
                assertThat(((FaasException) t).mayHaveRun()).isFalse();
            }
        }
    }

    @Nested
    class FailuresAfterTheWorkerStarted {
        @Test
        void aCpuLimitKillMayHaveRunSoOnlyIdempotentJobsAreRetried() {
            answer.set(new Answer(503, "text/html", ("<html><title>Worker exceeded resource limits | Cloudflare"
                    + "</title><span>Error 1102</span></html>").getBytes(UTF_8)));
            try (CloudflareWorkersExecutor executor = executorAt(base()).build()) {
                Throwable t = failureOf(executor);

                assertThat(t).isInstanceOf(ProviderException.class).hasMessageContaining("1102")
                        .hasMessageContaining("cpu_ms");
                FaasException f = (FaasException) t;
                assertThat(f.mayHaveRun()).isTrue();
                assertThat(f.status()).hasValue(503);
            }
        }

        @Test
        void aPlain503FromCloudflareMayHaveRunToo() {
            answer.set(new Answer(503, "text/plain", "Service Unavailable".getBytes(UTF_8)));
            try (CloudflareWorkersExecutor executor = executorAt(base()).build()) {
                assertThat(((FaasException) failureOf(executor)).mayHaveRun()).isTrue();
            }
        }

        @Test
        void theSpecsOverloadedAnswerDidNotRun() {
            answer.set(new Answer(503, "application/json",
                    "{\"error\":\"busy\",\"code\":\"OVERLOADED\"}".getBytes(UTF_8)));
            try (CloudflareWorkersExecutor executor = executorAt(base()).build()) {
                Throwable t = failureOf(executor);

                assertThat(t).isInstanceOf(dev.faasx.core.ThrottledException.class);
                assertThat(((FaasException) t).mayHaveRun()).isFalse();
            }
        }

        @Test
        void anAnswerLargerThanTheCapIsRefused() {
            answer.set(new Answer(200, "application/json", new byte[4096]));
            try (CloudflareWorkersExecutor executor = executorAt(base()).maxResponseBytes(1024).build()) {
                Throwable t = failureOf(executor);

                assertThat(t).isInstanceOf(ProtocolException.class).hasMessageContaining("1024");
            }
        }
    }

    @Nested
    class Credentials {
        @Test
        void aRotatedTokenIsUsedFromTheNextRequestOn() throws Exception {
            AtomicReference<String> seen = new AtomicReference<>();
            server.createContext("/accounts/acct/workers/scripts/", exchange -> {
                seen.set(exchange.getRequestHeaders().getFirst("Authorization"));
                byte[] body = "{\"success\":true,\"errors\":[],\"messages\":[],\"result\":null}".getBytes(UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            AtomicReference<CloudflareCredentials> current = new AtomicReference<>(CREDENTIALS);
            try (CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder().credentials(current::get)
                    .apiBaseUrl(base()).withoutAnalytics().build()) {
                executor.undeploy(7).get(10, TimeUnit.SECONDS);
                assertThat(seen.get()).isEqualTo("Bearer token-1");

                current.set(CloudflareCredentials.apiToken("acct", "token-2"));
                executor.undeploy(7).get(10, TimeUnit.SECONDS);
                assertThat(seen.get()).isEqualTo("Bearer token-2");
            }
        }
    }

    @Nested
    class BuilderSettings {
        @Test
        void badSettingsAreRefusedWithTheSettingsName() {
            CloudflareWorkersExecutorBuilder b = CloudflareWorkersExecutor.builder();
            assertThatThrownBy(() -> b.apiTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("apiTimeout");
            assertThatThrownBy(() -> b.connectTimeout(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
            assertThatThrownBy(() -> b.readinessTimeout(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("readinessTimeout");
            assertThatThrownBy(() -> b.maxResponseBytes(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxResponseBytes");
            assertThatThrownBy(() -> b.invocationThreads(-1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invocationThreads");
            assertThatThrownBy(() -> b.invocationSecret("short")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invocationSecret");
            assertThatThrownBy(() -> b.compatibilityDate("tomorrow")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("compatibilityDate");
            assertThatThrownBy(() -> b.apiBaseUrl(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("apiBaseUrl");
            assertThatThrownBy(() -> b.credentials((CloudflareCredentials) null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials");
            assertThatThrownBy(() -> b.scriptNamePrefix("Bad Prefix")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("scriptNamePrefix");
        }
    }
}
