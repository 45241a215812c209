package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private static final String SLOW_ECHO = "#!/bin/sh\ncat >/dev/null\nsleep 2\n"
            + "printf '{\"job_id\":1,\"result\":[42],\"success\":true}'\n";

    @Nested
    class ARestartedServer {
        @Test
        void servesTheFunctionsDeployedBeforeWithTheirConfiguration() {
            try (TestServer server = TestServer.start()) {
                server.deploy("durable", Bootstraps.script(Bootstraps.V1_ECHO),
                        "{\"timeout_secs\":42,\"env_vars\":{\"A\":\"b\"}}", false);
                server.deploy("removed", Bootstraps.script(Bootstraps.V1_ECHO));
                server.delete("/api/functions/removed");
                String deployedAt = Json.of(server.get("/api/functions/durable")).path("deployed_at").asText();

                server.restart();

                JsonNode info = Json.of(server.get("/api/functions/durable"));
                assertThat(info.path("timeout_secs").asInt()).isEqualTo(42);
                assertThat(info.path("deployed_at").asText()).isEqualTo(deployedAt);
                JsonNode result = Json.of(server.invoke("durable", "{\"job_id\":3,\"args\":[5]}"));
                assertThat(InvokeTest.numbers(result.path("result"))).containsExactly(5);
                assertThat(server.get("/api/functions/removed").statusCode()).isEqualTo(404);
            }
        }

        @Test
        void servesTheLatestVersionAfterAnOverwrite() {
            try (TestServer server = TestServer.start()) {
                server.deploy("versions", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                        + "printf '{\"job_id\":1,\"result\":[1],\"success\":true}'\n"));
                server.deploy("versions", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                        + "printf '{\"job_id\":1,\"result\":[2],\"success\":true}'\n"), null, true);

                server.restart();

                assertThat(Json.of(server.invoke("versions", "{\"job_id\":1,\"args\":[]}")).path("result").get(0)
                        .asInt()).isEqualTo(2);
            }
        }
    }

    @Nested
    class AnInvocationInFlightDuringShutdown {
        @Test
        void completesWithinTheGracePeriod() throws Exception {
            TestServer server = TestServer.start(b -> b.shutdownGrace(Duration.ofSeconds(30)));
            server.deploy("graceful", Bootstraps.script(SLOW_ECHO));
            CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(
                    () -> server.invoke("graceful", "{\"job_id\":1,\"args\":[]}"));
            awaitBusy(server, "graceful");

            server.close();

            assertThat(call.get().statusCode()).isEqualTo(200);
            assertThat(Json.of(call.get()).path("result").get(0).asInt()).isEqualTo(42);
        }

        @Test
        void failsExplicitlyWhenTheGracePeriodEnds() throws Exception {
            TestServer server = TestServer.start(b -> b.shutdownGrace(Duration.ZERO));
            server.deploy("cut-short", Bootstraps.script("#!/bin/sh\ncat >/dev/null\nsleep 300\n"));
            CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(
                    () -> server.invoke("cut-short", "{\"job_id\":9,\"args\":[]}"));
            awaitBusy(server, "cut-short");

            server.close();

            HttpResponse<String> response = call.get();
            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode body = Json.of(response);
            assertThat(body.path("code").asText()).isEqualTo("UNHEALTHY");
            assertThat(body.path("success").asBoolean()).isFalse();
            assertThat(body.path("job_id").asLong()).isEqualTo(9);
            assertThat(body.path("error").asText()).contains("shutting down");
        }

        @Test
        void onAPersistentWorkerFailsExplicitlyWhenTheGracePeriodEnds() throws Exception {
            TestServer server = TestServer.start(b -> b.shutdownGrace(Duration.ZERO));
            server.deploy("worker-cut", Bootstraps.script("#!/bin/sh\necho '{\"faasx_worker\":\"ready\","
                    + "\"protocol\":1}'\nwhile IFS= read -r line; do sleep 300; done\n"),
                    "{\"worker_mode\":\"persistent\"}", false);
            CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(
                    () -> server.invoke("worker-cut", "{\"job_id\":4,\"args\":[]}"));
            awaitBusy(server, "worker-cut");

            server.close();

            HttpResponse<String> response = call.get();
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("UNHEALTHY");
            assertThat(Json.of(response).path("job_id").asLong()).isEqualTo(4);
        }

        private void awaitBusy(TestServer server, String id) {
            Await.until(Duration.ofSeconds(20), id + " is running", () -> Json.of(
                    server.get("/api/functions/" + id + "/metrics")).path("instances").path("busy").asInt() == 1);
        }
    }

    @Nested
    class AServerWithAnApiKey {
        @Test
        void refusesRequestsWithoutTheKeyAndServesThoseWithIt() {
            try (TestServer server = TestServer.start(b -> b.apiKey("s3cret-key"))) {
                HttpResponse<String> none = server.get("/api/functions/x");
                HttpResponse<String> wrong = server.withApiKey("s3cret-kex").get("/api/functions/x");
                HttpResponse<String> metrics = server.get("/metrics");
                HttpResponse<String> right = server.withApiKey("s3cret-key").deploy("x",
                        Bootstraps.script(Bootstraps.V1_ECHO));

                assertThat(none.statusCode()).isEqualTo(401);
                assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
                assertThat(Json.of(none).path("code").asText()).isEqualTo("UNAUTHORIZED");
                assertThat(wrong.statusCode()).isEqualTo(401);
                assertThat(metrics.statusCode()).isEqualTo(401);
                assertThat(right.statusCode()).isEqualTo(200);
                assertThat(server.invoke("x", "{\"job_id\":1,\"args\":[]}").statusCode()).isEqualTo(200);
            }
        }
    }

    @Nested
    class TheMetricsEndpoints {
        @Test
        void countInvocationsByResultAndStartWithLatencyPercentiles() {
            try (TestServer server = TestServer.start()) {
                server.deploy("counted", Bootstraps.script("#!/bin/sh\nread -r line\n"
                        + "case \"$line\" in *'[1]'*) exit 1 ;; esac\n"
                        + "printf '{\"job_id\":1,\"result\":[],\"success\":true}'\n"));
                server.invoke("counted", "{\"job_id\":1,\"args\":[0]}");
                server.invoke("counted", "{\"job_id\":1,\"args\":[0]}");
                server.invoke("counted", "{\"job_id\":1,\"args\":[1]}");

                JsonNode metrics = Json.of(server.get("/api/functions/counted/metrics"));
                String prometheus = server.get("/metrics").body();

                assertThat(metrics.path("invocations").asLong()).isEqualTo(3);
                assertThat(metrics.path("successes").asLong()).isEqualTo(2);
                assertThat(metrics.path("errors").asLong()).isEqualTo(1);
                assertThat(metrics.path("function_errors").asLong()).isEqualTo(1);
                assertThat(metrics.path("cold_starts").asLong() + metrics.path("warm_starts").asLong()).isEqualTo(3);
                JsonNode latency = metrics.path("latency_ms");
                assertThat(latency.path("count").asLong()).isEqualTo(3);
                assertThat(latency.path("p50").asDouble()).isPositive();
                assertThat(latency.path("p99").asDouble()).isGreaterThanOrEqualTo(latency.path("p50").asDouble());
                assertThat(prometheus)
                        .contains("faasx_invocations_total{function=\"counted\",result=\"success\"} 2.0")
                        .contains("faasx_invocations_total{function=\"counted\",result=\"function_error\"} 1.0")
                        .contains("faasx_invocation_duration_seconds{function=\"counted\",quantile=\"0.99\"}");
            }
        }

        @Test
        void forgetAnUndeployedFunction() {
            try (TestServer server = TestServer.start()) {
                server.deploy("gone", Bootstraps.script(Bootstraps.V1_ECHO));
                server.invoke("gone", "{\"job_id\":1,\"args\":[]}");
                server.delete("/api/functions/gone");

                assertThat(server.get("/api/functions/gone/metrics").statusCode()).isEqualTo(404);
                assertThat(server.get("/metrics").body()).doesNotContain("function=\"gone\"");
            }
        }
    }
}
