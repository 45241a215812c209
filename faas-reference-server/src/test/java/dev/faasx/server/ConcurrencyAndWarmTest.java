package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ConcurrencyAndWarmTest {
    private static final String SLOW = "#!/bin/sh\ncat >/dev/null\nsleep 3\n"
            + "printf '{\"job_id\":1,\"result\":[],\"success\":true}'\n";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.limits(ServerLimits.builder().queueTimeout(Duration.ofMillis(200))
                .prespawnedProcesses(0).build()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Nested
    class AFunctionAtItsMaxConcurrency {
        @Test
        void refusesTheNextCallAfterAShortQueueWith503AndRetryAfter() throws Exception {
            server.deploy("busy", Bootstraps.script(SLOW), "{\"max_concurrency\":1}", false);
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(
                    () -> server.invoke("busy", "{\"job_id\":1,\"args\":[]}"));
            Await.until(Duration.ofSeconds(20), "the first call is running", () -> Json.of(
                    server.get("/api/functions/busy/metrics")).path("instances").path("busy").asInt() == 1);

            HttpResponse<String> second = server.invoke("busy", "{\"job_id\":2,\"args\":[]}");

            assertThat(second.statusCode()).isEqualTo(503);
            assertThat(second.headers().firstValue("Retry-After")).hasValue("1");
            JsonNode body = Json.of(second);
            assertThat(body.path("code").asText()).isEqualTo("OVERLOADED");
            assertThat(body.path("job_id").asLong()).isEqualTo(2);
            assertThat(body.path("success").asBoolean()).isFalse();
            assertThat(first.get().statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class AColdFunction {
        @Test
        void reportsAColdStartWithItsInitTimeThenWarmStartsAfterWarming() {
            server.deploy("cold", Bootstraps.script(Bootstraps.V1_ECHO));
            // The deployment started one instance; use it up so that the next call must start its own.
            assertThat(Json.of(server.invoke("cold", "{\"job_id\":1,\"args\":[]}")).path("cold_start").asBoolean())
                    .isFalse();

            JsonNode cold = Json.of(server.invoke("cold", "{\"job_id\":2,\"args\":[]}"));
            assertThat(cold.path("cold_start").asBoolean()).isTrue();
            assertThat(cold.path("init_ms").isIntegralNumber()).isTrue();

            HttpResponse<String> warmed = server.post("/api/functions/cold/warm", "");
            assertThat(warmed.statusCode()).isEqualTo(200);
            assertThat(Json.of(warmed).path("status").asText()).isEqualTo("warm");
            assertThat(Json.of(warmed).path("instances_warmed").asInt()).isGreaterThanOrEqualTo(1);

            JsonNode warm = Json.of(server.invoke("cold", "{\"job_id\":3,\"args\":[]}"));
            assertThat(warm.path("cold_start").asBoolean()).isFalse();
            assertThat(warm.has("init_ms")).isFalse();
        }

        @Test
        void warmStartsAsManyInstancesAsKeepWarmAsks() {
            server.deploy("keep3", Bootstraps.script(Bootstraps.V1_ECHO), "{\"keep_warm\":3}", false);

            HttpResponse<String> warmed = server.post("/api/functions/keep3/warm", "");

            assertThat(Json.of(warmed).path("instances_warmed").asInt()).isEqualTo(3);
            for (int i = 0; i < 3; i++) {
                assertThat(Json.of(server.invoke("keep3", "{\"job_id\":1,\"args\":[]}")).path("cold_start")
                        .asBoolean()).isFalse();
            }
        }
    }

    @Nested
    class Health {
        @Test
        void isHealthyWithInvocationCountForARunnableFunction() {
            server.deploy("fine", Bootstraps.script(Bootstraps.V1_ECHO));
            server.invoke("fine", "{\"job_id\":1,\"args\":[]}");

            HttpResponse<String> response = server.get("/api/functions/fine/health");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Json.of(response);
            assertThat(body.path("status").asText()).isEqualTo("healthy");
            assertThat(body.path("total_invocations").asLong()).isEqualTo(1);
            assertThat(body.path("last_invocation").asText()).isNotEmpty();
        }

        @Test
        void isUnhealthyWith503WhenTheBootstrapCrashesOnStart() {
            server.deploy("broken", Bootstraps.script("#!/bin/sh\necho 'missing library libfoo.so' >&2\nexit 127\n"));

            HttpResponse<String> response = server.get("/api/functions/broken/health");

            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode body = Json.of(response);
            assertThat(body.path("status").asText()).isEqualTo("unhealthy");
            assertThat(body.path("error").asText()).contains("127").contains("missing library libfoo.so");
        }

        @Test
        void isUnhealthyWhenTheBootstrapCannotBeExecuted() {
            server.deploy("noexec", Zips.create().file("bootstrap", "not a program".getBytes(), 0100644).build());

            HttpResponse<String> response = server.get("/api/functions/noexec/health");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Json.of(response).path("status").asText()).isEqualTo("unhealthy");
        }

        @Test
        void isNotFoundForAnUnknownFunction() {
            assertThat(server.get("/api/functions/ghost/health").statusCode()).isEqualTo(404);
            assertThat(server.post("/api/functions/ghost/warm", "").statusCode()).isEqualTo(404);
        }
    }
}
