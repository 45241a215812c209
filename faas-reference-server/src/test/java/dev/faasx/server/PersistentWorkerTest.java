package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PersistentWorkerTest {
    private static final String PERSISTENT = "{\"worker_mode\":\"persistent\",\"timeout_secs\":60}";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.limits(ServerLimits.builder().workerStartTimeout(Duration.ofSeconds(60))
                .build()).functionReadOnlyPaths(Sandboxes.classPath()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Nested
    class AShellWorker {
        @Test
        void answersEveryCallFromTheSameLongLivedProcess() {
            server.deploy("sh-worker", Bootstraps.script(Bootstraps.PERSISTENT_ECHO), PERSISTENT, false);

            JsonNode first = Json.of(server.invoke("sh-worker", "{\"job_id\":1,\"args\":[1,2]}"));
            JsonNode second = Json.of(server.invoke("sh-worker", "{\"job_id\":2,\"args\":[3]}"));

            assertThat(InvokeTest.numbers(first.path("result"))).containsExactly(1, 2);
            assertThat(InvokeTest.numbers(second.path("result"))).containsExactly(3);
            assertThat(second.path("metadata").path("pid").asText()).isEqualTo(first.path("metadata").path("pid")
                    .asText());
            assertThat(first.path("cold_start").asBoolean()).isFalse();
            assertThat(second.path("cold_start").asBoolean()).isFalse();
        }

        @Test
        void reportsThePeakMemoryTheKernelKeepsForTheWorker() {
            server.deploy("sh-memory", Bootstraps.script(Bootstraps.PERSISTENT_ECHO), PERSISTENT, false);

            JsonNode body = Json.of(server.invoke("sh-memory", "{\"job_id\":1,\"args\":[]}"));

            assertThat(body.path("memory_used_mb").asLong()).isPositive();
        }

        @Test
        void warmStartsTheKeepWarmWorkersAndWaitsUntilTheyAreReady() {
            server.deploy("sh-warm", Bootstraps.script(Bootstraps.PERSISTENT_ECHO),
                    "{\"worker_mode\":\"persistent\",\"keep_warm\":3}", false);

            HttpResponse<String> warmed = server.post("/api/functions/sh-warm/warm", "");

            assertThat(warmed.statusCode()).isEqualTo(200);
            assertThat(Json.of(warmed).path("instances_warmed").asInt()).isEqualTo(3);
            assertThat(Json.of(server.get("/api/functions/sh-warm/metrics")).path("instances").path("idle").asInt())
                    .isEqualTo(3);
        }

        @Test
        void thatTimesOutIsKilledAndReplacedByAColdWorker() {
            server.deploy("sh-stuck", Bootstraps.script("#!/bin/sh\necho '{\"faasx_worker\":\"ready\","
                    + "\"protocol\":1}'\nwhile IFS= read -r line; do\n  case \"$line\" in\n"
                    + "    *'\"args\":[9]'*) sleep 300 ;;\n  esac\n"
                    + "  printf '%s\\n' \"$line\" | sed -e 's/\"args\"/\"result\"/' -e 's/}$/,\"success\":true}/'\n"
                    + "done\n"), "{\"worker_mode\":\"persistent\",\"timeout_secs\":1}", false);

            HttpResponse<String> stuck = server.invoke("sh-stuck", "{\"job_id\":1,\"args\":[9]}");
            JsonNode after = Json.of(server.invoke("sh-stuck", "{\"job_id\":2,\"args\":[1]}"));

            assertThat(stuck.statusCode()).isEqualTo(504);
            assertThat(Json.of(stuck).path("code").asText()).isEqualTo("TIMEOUT");
            assertThat(after.path("success").asBoolean()).isTrue();
            assertThat(after.path("cold_start").asBoolean()).isTrue();
            assertThat(after.path("init_ms").isIntegralNumber()).isTrue();
        }

        @Test
        void thatNeverBecomesReadyMakesTheFunctionUnhealthy() {
            server.deploy("sh-mute", Bootstraps.script("#!/bin/sh\necho 'hello, I am not a worker'\nsleep 300\n"),
                    PERSISTENT, false);

            HttpResponse<String> health = server.get("/api/functions/sh-mute/health");
            HttpResponse<String> invoke = server.invoke("sh-mute", "{\"job_id\":1,\"args\":[]}");

            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(Json.of(health).path("error").asText()).contains("instead of the ready line");
            assertThat(invoke.statusCode()).isEqualTo(503);
            assertThat(Json.of(invoke).path("code").asText()).isEqualTo("UNHEALTHY");
        }
    }

    @Nested
    class AJavaJobHandler {
        @Test
        void runsInAPersistentFunctionMainWorker() {
            HttpResponse<String> deployed = server.deploy("java-worker", Bootstraps.javaHandler(PidEchoHandler.class),
                    PERSISTENT, false);
            assertThat(deployed.statusCode()).isEqualTo(200);

            JsonNode first = Json.of(server.invoke("java-worker", "{\"job_id\":5,\"args_base64\":\"aGk=\"}"));
            JsonNode second = Json.of(server.invoke("java-worker", "{\"job_id\":6,\"args\":[7]}"));
            HttpResponse<String> failed = server.invoke("java-worker",
                    "{\"job_id\":7,\"args_base64\":\"ZmFpbA==\"}");

            assertThat(first.path("result_base64").asText()).isEqualTo("aGk=");
            assertThat(first.path("cold_start").asBoolean()).isFalse();
            assertThat(first.path("memory_used_mb").asLong()).isPositive();
            assertThat(second.path("metadata").path("pid").asText())
                    .isEqualTo(first.path("metadata").path("pid").asText());
            assertThat(failed.statusCode()).isEqualTo(500);
            assertThat(Json.of(failed).path("error").asText()).contains("asked to fail");
            assertThat(Json.of(server.invoke("java-worker", "{\"job_id\":8,\"args\":[1]}")).path("success")
                    .asBoolean()).isTrue();
        }
    }
}
