package dev.faasx.digitalocean.local;

import static dev.faasx.digitalocean.local.OpenWhiskClient.annotation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faasx.digitalocean.local.OpenWhiskClient.Answer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalOpenWhiskApiTest {
    @RegisterExtension
    static final LocalDigitalOceanExtension DO = new LocalDigitalOceanExtension();

    private static final String ECHO = "def main(args):\n    return {'greeting': 'hello ' + args.get('name', 'nobody')}\n";
    private OpenWhiskClient ow;

    @BeforeAll
    void namespace(LocalDigitalOcean local) {
        assumeTrue(local.runsPython(), "python3 is not installed");
        ow = new OpenWhiskClient(local.createNamespace("api-test"));
    }

    @Nested
    @DisplayName("a python action")
    class PythonAction {
        @Test
        @DisplayName("runs for real: cold with initTime first, then warm in the same instance")
        void coldThenWarm() {
            String counter = "count = 0\ndef main(args):\n    global count\n    count += 1\n"
                    + "    import os\n    return {'count': count, 'pid': os.getpid()}\n";
            assertThat(ow.putAction("counter", "python:3.11", counter, Map.of(), null).status()).isEqualTo(200);
            Answer first = ow.invoke("counter", "{}", "blocking=true");
            Answer second = ow.invoke("counter", "{}", "blocking=true");
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.body().path("response").path("result").path("count").asInt()).isEqualTo(1);
            assertThat(annotation(first.body(), "initTime").isNumber()).isTrue();
            assertThat(second.body().path("response").path("result").path("count").asInt()).isEqualTo(2);
            assertThat(second.body().path("response").path("result").path("pid"))
                    .isEqualTo(first.body().path("response").path("result").path("pid"));
            assertThat(annotation(second.body(), "initTime").isMissingNode()).isTrue();
            assertThat(annotation(second.body(), "waitTime").isNumber()).isTrue();
            assertThat(second.body().path("response").path("status").asText()).isEqualTo("success");
        }

        @Test
        @DisplayName("answers only the result with result=true, merging default parameters under the call's")
        void resultOnly() {
            ow.putAction("echo", "python:default", ECHO, Map.of(), "{\"parameters\":[{\"key\":\"name\","
                    + "\"value\":\"default\"}]}");
            assertThat(ow.invoke("echo", "{}", "blocking=true&result=true").body().path("greeting").asText())
                    .isEqualTo("hello default");
            assertThat(ow.invoke("echo", "{\"name\":\"ada\"}", "blocking=true&result=true").body()
                    .path("greeting").asText()).isEqualTo("hello ada");
        }

        @Test
        @DisplayName("sees init parameters as its environment, not as arguments")
        void initParametersAreEnvironment() {
            ow.putAction("env", "python:3.11", "import os\ndef main(args):\n    return {'v': os.environ.get('GREETING'),"
                    + " 'args': sorted(args.keys()), 'id': os.environ.get('__OW_ACTIVATION_ID')}\n", Map.of(),
                    "{\"parameters\":[{\"key\":\"GREETING\",\"value\":\"bonjour\",\"init\":true}]}");
            Answer a = ow.invoke("env", "{}", "blocking=true");
            assertThat(a.body().path("response").path("result").path("v").asText()).isEqualTo("bonjour");
            assertThat(a.body().path("response").path("result").path("args")).isEmpty();
            assertThat(a.body().path("response").path("result").path("id").asText())
                    .isEqualTo(a.body().path("activationId").asText());
        }

        @Test
        @DisplayName("from a zip runs its __main__.py")
        void zipAction() {
            Answer put = ow.putZipAction("zipped", "python:3.11", Map.of("__main__.py",
                    "from helper import word\ndef main(args):\n    return {'word': word()}\n",
                    "helper.py", "def word():\n    return 'zipped'\n"));
            assertThat(put.status()).isEqualTo(200);
            assertThat(ow.invoke("zipped", "{}", "blocking=true&result=true").body().path("word").asText())
                    .isEqualTo("zipped");
        }

        @Test
        @DisplayName("keeps its stdout and stderr as the activation's logs")
        void logs() {
            ow.putAction("logger", "python:3.11", "import sys\ndef main(args):\n    print('to stdout')\n"
                    + "    print('to stderr', file=sys.stderr)\n    return {}\n", Map.of(), null);
            String id = ow.invoke("logger", "{}", "blocking=true").body().path("activationId").asText();
            JsonNode logs = ow.call("GET", "activations/" + id + "/logs", null).body().path("logs");
            assertThat(logs.toString()).contains("stdout: to stdout").contains("stderr: to stderr");
        }
    }

    @Nested
    @DisplayName("an activation that fails")
    class Failures {
        @Test
        @DisplayName("by raising is an application error, answered 502")
        void applicationError() {
            ow.putAction("raises", "python:3.11", "def main(args):\n    raise ValueError('bad input')\n", Map.of(),
                    null);
            Answer a = ow.invoke("raises", "{}", "blocking=true");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.body().path("response").path("status").asText()).isEqualTo("application error");
            assertThat(a.body().path("response").path("result").path("error").asText()).contains("bad input");
        }

        @Test
        @DisplayName("by not returning a dictionary is a developer error")
        void developerError() {
            ow.putAction("notdict", "python:3.11", "def main(args):\n    return 42\n", Map.of(), null);
            Answer a = ow.invoke("notdict", "{}", "blocking=true");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.body().path("response").path("statusCode").asInt()).isEqualTo(2);
            assertThat(a.body().path("response").path("result").path("error").asText())
                    .isEqualTo("The action did not return a dictionary.");
        }

        @Test
        @DisplayName("by exiting is a developer error, and the next call starts a new instance")
        void exits() {
            ow.putAction("exits", "python:3.11", "import os\ndef main(args):\n    if args.get('exit'):\n"
                    + "        os._exit(3)\n    return {}\n", Map.of(), null);
            ow.invoke("exits", "{}", "blocking=true");
            Answer a = ow.invoke("exits", "{\"exit\":true}", "blocking=true");
            assertThat(a.body().path("response").path("result").path("error").asText())
                    .isEqualTo("The action did not produce a valid response and exited unexpectedly.");
            Answer next = ow.invoke("exits", "{}", "blocking=true");
            assertThat(next.status()).isEqualTo(200);
            assertThat(annotation(next.body(), "initTime").isNumber()).isTrue();
        }

        @Test
        @DisplayName("by running past its timeout is ended, marked timeout, and the next call is cold")
        void timeout() {
            ow.putAction("sleeper", "python:3.11", "import time\ndef main(args):\n    time.sleep(args.get('s', 0))\n"
                    + "    return {}\n", Map.of("timeout", 500), null);
            ow.invoke("sleeper", "{}", "blocking=true");
            Answer a = ow.invoke("sleeper", "{\"s\":5}", "blocking=true");
            assertThat(a.body().path("response").path("result").path("error").asText())
                    .isEqualTo("The action exceeded its time limits of 500 milliseconds.");
            assertThat(annotation(a.body(), "timeout").asBoolean()).isTrue();
            assertThat(a.body().path("duration").asLong()).isBetween(450L, 4000L);
            assertThat(annotation(ow.invoke("sleeper", "{}", "blocking=true").body(), "initTime").isNumber())
                    .isTrue();
        }

        @Test
        @DisplayName("because its runtime is not installed here is a whisk internal error, answered 500")
        void whiskError() {
            assertThat(ow.putAction("gofn", "go:1.20", "package main\nfunc Main(a map[string]interface{})"
                    + " map[string]interface{} { return a }\n", Map.of(), null).status()).isEqualTo(200);
            Answer a = ow.invoke("gofn", "{}", "blocking=true");
            assertThat(a.status()).isEqualTo(500);
            assertThat(a.body().path("response").path("status").asText()).isEqualTo("whisk internal error");
        }

        @Test
        @DisplayName("with a result over 1 MB is refused")
        void resultTooLarge() {
            ow.putAction("big", "python:3.11", "def main(args):\n    return {'x': 'y' * 1100000}\n", Map.of(), null);
            Answer a = ow.invoke("big", "{}", "blocking=true");
            assertThat(a.status()).isEqualTo(502);
            assertThat(a.body().path("response").path("result").path("error").asText())
                    .startsWith("The action produced a response that exceeded the allowed length");
        }
    }

    @Nested
    @DisplayName("the actions API")
    class ActionsApi {
        @Test
        @DisplayName("refuses limits outside DigitalOcean's, naming them")
        void limits() {
            Answer memory = ow.putAction("m", "python:3.11", ECHO, Map.of("memory", 2048), null);
            assertThat(memory.status()).isEqualTo(400);
            assertThat(memory.body().path("error").asText()).contains("memory 2048 MB exceeds allowed threshold of"
                    + " 1024 MB");
            Answer timeout = ow.putAction("t", "python:3.11", ECHO, Map.of("timeout", 900_001), null);
            assertThat(timeout.body().path("error").asText()).contains("exceeds allowed threshold of 900000");
            assertThat(timeout.body().path("code").asText()).isNotBlank();
        }

        @Test
        @DisplayName("refuses to replace an action without overwrite=true, and unknown kinds")
        void conflictAndKinds() {
            ow.putAction("once", "python:3.11", ECHO, Map.of(), null);
            Answer again = ow.call("PUT", "actions/once", "{\"exec\":{\"kind\":\"python:3.11\",\"code\":\"x\"}}");
            assertThat(again.status()).isEqualTo(409);
            Answer java = ow.call("PUT", "actions/j?overwrite=true",
                    "{\"exec\":{\"kind\":\"java:8\",\"code\":\"x\"}}");
            assertThat(java.status()).isEqualTo(400);
            assertThat(java.body().path("error").asText()).contains("'java:8' is not supported");
        }

        @Test
        @DisplayName("gets, lists and deletes actions; a deleted one is not found")
        void crud() {
            ow.putAction("crud", "python:3.11", ECHO, Map.of("memory", 512), null);
            JsonNode got = ow.call("GET", "actions/crud?code=false", null).body();
            assertThat(got.path("limits").path("memory").asInt()).isEqualTo(512);
            assertThat(got.path("exec").has("code")).isFalse();
            assertThat(ow.call("GET", "actions", null).body().toString()).contains("\"crud\"");
            assertThat(ow.call("DELETE", "actions/crud", null).status()).isEqualTo(200);
            Answer gone = ow.invoke("crud", "{}", "blocking=true");
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.body().path("error").asText()).isEqualTo("The requested resource does not exist.");
        }

        @Test
        @DisplayName("refuses parameters over 1 MB with 413 before running anything")
        void payloadTooLarge() {
            ow.putAction("p", "python:3.11", ECHO, Map.of(), null);
            Answer a = ow.invoke("p", "{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}", "blocking=true");
            assertThat(a.status()).isEqualTo(413);
        }

        @Test
        @DisplayName("answers 401 to wrong credentials")
        void wrongCredentials(LocalDigitalOcean local) {
            OpenWhiskClient wrong = new OpenWhiskClient(local.baseUrl(), "nobody:nothing");
            Answer a = wrong.call("GET", "actions", null);
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.body().path("error").asText()).isEqualTo("The supplied authentication is invalid.");
        }

        @Test
        @DisplayName("answers a non-blocking call 202 with the activation id, whose record appears when done")
        void nonBlocking() throws InterruptedException {
            ow.putAction("nb", "python:3.11", ECHO, Map.of(), null);
            Answer a = ow.invoke("nb", "{\"name\":\"later\"}", "");
            assertThat(a.status()).isEqualTo(202);
            String id = a.body().path("activationId").asText();
            Answer record = null;
            for (int i = 0; i < 200; i++) {
                record = ow.call("GET", "activations/" + id, null);
                if (record.status() == 200) {
                    break;
                }
                Thread.sleep(50);
            }
            assertThat(record.status()).isEqualTo(200);
            assertThat(record.body().path("response").path("result").path("greeting").asText())
                    .isEqualTo("hello later");
        }
    }

    @Nested
    @DisplayName("a nodejs action")
    class NodeAction {
        @Test
        @DisplayName("runs with node, warm on the second call")
        void runs(LocalDigitalOcean local) {
            assumeTrue(local.runsNode(), "node is not installed");
            ow.putAction("js", "nodejs:18", "let n = 0;\nfunction main(args) { n++; return {n, hi: 'hi ' + args.name};"
                    + " }\n", Map.of(), null);
            Answer first = ow.invoke("js", "{\"name\":\"node\"}", "blocking=true");
            Answer second = ow.invoke("js", "{\"name\":\"node\"}", "blocking=true");
            assertThat(first.body().path("response").path("result").path("hi").asText()).isEqualTo("hi node");
            assertThat(second.body().path("response").path("result").path("n").asInt()).isEqualTo(2);
            assertThat(annotation(second.body(), "initTime").isMissingNode()).isTrue();
        }
    }

    @Test
    @DisplayName("a blocking call that outlives the cutoff is answered 202, and the activation finishes")
    void blockingCutoff() throws InterruptedException {
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().blockingCutoff(Duration.ofMillis(300)).build()) {
            OpenWhiskClient client = new OpenWhiskClient(local.createNamespace("cutoff"));
            client.putAction("slow", "python:3.11", "import time\ndef main(args):\n    time.sleep(1)\n"
                    + "    return {'done': True}\n", Map.of(), null);
            Answer a = client.invoke("slow", "{}", "blocking=true");
            assertThat(a.status()).isEqualTo(202);
            String id = a.body().path("activationId").asText();
            assertThat(client.call("GET", "activations/" + id, null).status()).isEqualTo(404);
            Answer done = null;
            for (int i = 0; i < 100 && (done == null || done.status() != 200); i++) {
                Thread.sleep(100);
                done = client.call("GET", "activations/" + id, null);
            }
            assertThat(done.body().path("response").path("result").path("done").asBoolean()).isTrue();
        }
    }

    @Test
    @DisplayName("invocations over the per-minute limit are answered 429 with Retry-After")
    void rateLimit() {
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().invocationsPerMinute(2).build()) {
            OpenWhiskClient client = new OpenWhiskClient(local.createNamespace("rate"));
            client.putAction("r", "python:3.11", ECHO, Map.of(), null);
            assertThat(client.invoke("r", "{}", "blocking=true").status()).isEqualTo(200);
            assertThat(client.invoke("r", "{}", "blocking=true").status()).isEqualTo(200);
            Answer refused = client.invoke("r", "{}", "blocking=true");
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.body().path("error").asText())
                    .isEqualTo("Too many requests in the last minute (count: 3, allowed: 2).");
            assertThat(refused.raw().headers().firstValueAsLong("Retry-After").orElse(0)).isBetween(1L, 60L);
        }
    }
}
