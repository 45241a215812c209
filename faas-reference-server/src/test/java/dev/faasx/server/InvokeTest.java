package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InvokeTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.limits(ServerLimits.builder().maxRequestBytes(64 * 1024)
                .maxOutputBytes(16 * 1024).build()));
        server.deploy("echo", Bootstraps.script(Bootstraps.V1_ECHO),
                "{\"env_vars\":{\"GREETING\":\"hello\"}}", false);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Nested
    class ASpecV1Request {
        @Test
        void isAnsweredInTheV1ShapeWithMeasuredFigures() {
            HttpResponse<String> response = server.invoke("echo", "{\"job_id\":7,\"args\":[104,105,0,255]}");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Json.of(response);
            assertThat(body.path("job_id").asLong()).isEqualTo(7);
            assertThat(body.path("success").asBoolean()).isTrue();
            assertThat(numbers(body.path("result"))).containsExactly(104, 105, 0, 255);
            assertThat(body.path("execution_ms").isIntegralNumber()).isTrue();
            assertThat(body.has("call_id")).isFalse();
            assertThat(body.has("result_base64")).isFalse();
        }

        @Test
        void keepsAJobIdAtTheFull64BitRange() {
            JsonNode body = Json.of(server.invoke("echo", "{\"job_id\":9223372036854775807,\"args\":[]}"));

            assertThat(body.path("job_id").asLong()).isEqualTo(Long.MAX_VALUE);
            assertThat(body.path("result").size()).isZero();
        }

        @Test
        void reportsTheCgroupsPeakMemoryForAOneShotProcessOrNothingWithoutOne() {
            JsonNode body = Json.of(server.invoke("echo", "{\"job_id\":1,\"args\":[1]}"));

            if (Sandboxes.cgroupsUsable()) {
                assertThat(body.path("memory_used_mb").asLong()).isPositive();
            } else {
                assertThat(body.has("memory_used_mb")).isFalse();
            }
        }
    }

    @Nested
    class TheExtensions {
        @Test
        void base64PayloadsAreAnsweredInBase64() {
            JsonNode body = Json.of(server.invoke("echo", "{\"job_id\":3,\"args_base64\":\"AP8Q\"}"));

            assertThat(body.path("result_base64").asText()).isEqualTo("AP8Q");
            assertThat(body.has("result")).isFalse();
        }

        @Test
        void callIdAndMetadataTravelThroughTheFunction() {
            JsonNode body = Json.of(server.invoke("echo",
                    "{\"job_id\":4,\"args\":[1],\"call_id\":\"call-42\",\"metadata\":{\"trace\":\"t-1\"}}"));

            assertThat(body.path("call_id").asText()).isEqualTo("call-42");
            assertThat(body.path("metadata").path("trace").asText()).isEqualTo("t-1");
        }
    }

    @Nested
    class TheFunctionProcess {
        @Test
        void getsItsEnvironmentVariablesAndNotTheServers() {
            server.deploy("env-dump", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "printf '{\"job_id\":1,\"result\":[],\"success\":true,\"metadata\":{\"names\":\"%s\","
                    + "\"greeting\":\"%s\",\"home\":\"%s\"}}' \"$(env | cut -d= -f1 | sort | tr '\\n' ' ')\" "
                    + "\"$GREETING\" \"$HOME\"\n"), "{\"env_vars\":{\"GREETING\":\"hello\"}}", false);

            JsonNode metadata = Json.of(server.invoke("env-dump", "{\"job_id\":1,\"args\":[]}")).path("metadata");

            assertThat(metadata.path("greeting").asText()).isEqualTo("hello");
            if (server.server().isolation() == Isolation.SANDBOX) {
                assertThat(metadata.path("home").asText()).isEqualTo("/function");
            } else {
                assertThat(metadata.path("home").asText()).startsWith(server.dataDirectory().toString());
            }
            List<String> names = List.of(metadata.path("names").asText().trim().split(" "));
            assertThat(names).contains("PATH", "LANG", "HOME", "TMPDIR", "GREETING", "FAASX_FUNCTION_ID");
            List<String> serverOnly = new ArrayList<>(System.getenv().keySet());
            serverOnly.removeAll(List.of("PATH", "LANG", "HOME", "TMPDIR", "PWD", "SHLVL", "_"));
            assertThat(names).doesNotContainAnyElementsOf(serverOnly);
        }

        @Test
        void thatFailsGivesA500WithItsStderr() {
            server.deploy("crash", Bootstraps.script("#!/bin/sh\ncat >/dev/null\necho 'disk on fire' >&2\nexit 3\n"));

            HttpResponse<String> response = server.invoke("crash", "{\"job_id\":5,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(500);
            JsonNode body = Json.of(response);
            assertThat(body.path("success").asBoolean()).isFalse();
            assertThat(body.path("job_id").asLong()).isEqualTo(5);
            assertThat(body.path("error").asText()).contains("exit status 3").contains("disk on fire");
        }

        @Test
        void thatAnswersSuccessFalseGivesA500WithItsError() {
            server.deploy("refuses", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "printf '{\"job_id\":1,\"result\":[],\"success\":false,\"error\":\"no such user\"}'\n"));

            HttpResponse<String> response = server.invoke("refuses", "{\"job_id\":1,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(Json.of(response).path("error").asText()).isEqualTo("no such user");
            assertThat(Json.of(response).path("success").asBoolean()).isFalse();
        }

        @Test
        void thatWritesSomethingOtherThanJsonGivesA500NamingTheProblem() {
            server.deploy("garbage", Bootstraps.script("#!/bin/sh\ncat >/dev/null\necho 'hello world'\n"));

            HttpResponse<String> response = server.invoke("garbage", "{\"job_id\":1,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(Json.of(response).path("error").asText()).contains("invalid answer");
        }

        @Test
        void thatWritesTooMuchIsKilledAndGivesA500() {
            server.deploy("chatty", Bootstraps.script("#!/bin/sh\ncat >/dev/null\nexec yes\n"));

            HttpResponse<String> response = server.invoke("chatty", "{\"job_id\":1,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(500);
            assertThat(Json.of(response).path("error").asText()).contains("more than 16384 bytes");
        }

        @Test
        void thatOverrunsItsTimeoutIsKilledWithItsChildrenAndGivesA504() {
            server.deploy("sleepy", Bootstraps.script("#!/bin/sh\ncat >/dev/null\nsleep 3011 &\nwait\n"),
                    "{\"timeout_secs\":1}", false);

            HttpResponse<String> response = server.invoke("sleepy", "{\"job_id\":11,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(504);
            JsonNode body = Json.of(response);
            assertThat(body.path("code").asText()).isEqualTo("TIMEOUT");
            assertThat(body.path("job_id").asLong()).isEqualTo(11);
            assertThat(body.path("success").asBoolean()).isFalse();
            Await.until(Duration.ofSeconds(20), "the child of the timed-out bootstrap is gone",
                    () -> Sandboxes.processesRunning("sleep 3011") == 0);
        }
    }

    @Nested
    class AProcessThatLingersAfterAnswering {
        @Test
        void isAnsweredAtOnceAndKilledWhenItsTimeoutPasses() {
            server.deploy("lingers", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "printf '{\"job_id\":1,\"result\":[7],\"success\":true}'\nexec sleep 3012\n"),
                    "{\"timeout_secs\":2}", false);

            HttpResponse<String> response = server.invoke("lingers", "{\"job_id\":1,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(Json.of(response).path("result").get(0).asInt()).isEqualTo(7);
            Await.until(Duration.ofSeconds(20), "the lingering process is killed at its timeout",
                    () -> Sandboxes.processesRunning("sleep 3012") == 0);
        }
    }

    @Nested
    class ABadRequest {
        @Test
        void withMalformedJsonGivesA400NamingTheProblem() {
            HttpResponse<String> response = server.invoke("echo", "{\"job_id\":1,\"args\":[1,2,300]}");

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(Json.of(response).path("error").asText()).contains("args");
        }

        @Test
        void withoutAJobIdGivesA400() {
            HttpResponse<String> response = server.invoke("echo", "{\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("error").asText()).contains("job_id");
        }

        @Test
        void largerThanTheLimitGivesA413() {
            String big = "{\"job_id\":1,\"args_base64\":\"" + "A".repeat(80 * 1024) + "\"}";

            HttpResponse<String> response = server.invoke("echo", big);

            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
        }

        @Test
        void forAnUnknownFunctionGivesA404() {
            HttpResponse<String> response = server.invoke("nobody", "{\"job_id\":1,\"args\":[]}");

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("FUNCTION_NOT_FOUND");
        }

        @Test
        void toAnUnknownPathOrWithTheWrongMethodIsRefused() {
            assertThat(server.get("/api/other").statusCode()).isEqualTo(404);
            assertThat(server.get("/api/functions/echo/invoke").statusCode()).isEqualTo(405);
            assertThat(server.post("/api/functions/echo/unknown", "{}").statusCode()).isEqualTo(404);
        }
    }

    static List<Integer> numbers(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            out.add(it.next().asInt());
        }
        return out;
    }
}
