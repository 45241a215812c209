package dev.faasx.azure.function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.JobOutput;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("CustomHandlerServer")
class CustomHandlerServerTest {
    private final ObjectMapper json = new ObjectMapper();
    private final SpecCodec codec = SpecCodec.create();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final CustomHandlerServer server;

    CustomHandlerServerTest() throws Exception {
        server = CustomHandlerServer.forHandler(call -> {
            String text = new String(call.body(), StandardCharsets.UTF_8);
            if (text.startsWith("fail:")) {
                throw new IllegalStateException(text.substring(5));
            }
            return JobOutput.of(text.toUpperCase().getBytes(StandardCharsets.UTF_8), call.metadata());
        }).port(0).start();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** The host's custom-handler request for an HTTP trigger carrying {@code body}. */
    private byte[] envelope(byte[] body) {
        ObjectNode root = json.createObjectNode();
        ObjectNode req = root.putObject("Data").putObject("req");
        req.put("Url", "https://app.azurewebsites.net/api/job");
        req.put("Method", "POST");
        req.putObject("Query");
        req.putObject("Headers").putArray("Content-Type").add("application/json");
        req.putObject("Params");
        req.put("Body", new String(body, StandardCharsets.UTF_8));
        root.putObject("Metadata").putObject("sys").put("MethodName", "job");
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<byte[]> post(String path, byte[] body, String invocationId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json");
        if (invocationId != null) {
            b.header(CustomHandlerServer.INVOCATION_ID_HEADER, invocationId);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private InvokeResponse invoke(String text) throws Exception {
        byte[] request = codec.encodeRequest(new InvokeRequest(5, text.getBytes(StandardCharsets.UTF_8),
                Optional.of("call-1"), Map.of("k", "v")), PayloadEncoding.BASE64);
        HttpResponse<byte[]> response = post("/job", envelope(request), "inv-1");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode res = json.readTree(response.body()).path("Outputs").path("res");
        assertThat(res.path("statusCode").asInt()).isEqualTo(200);
        assertThat(res.path("headers").path(CustomHandlerServer.INVOCATION_ID_HEADER).asText()).isEqualTo("inv-1");
        assertThat(json.readTree(response.body()).has("Logs")).isTrue();
        return codec.decodeResponse(res.path("body").asText().getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    @DisplayName("answering the Functions host")
    class Host {
        @Test
        @DisplayName("runs the handler on the body in Data.req.Body and answers in Outputs.res")
        void runsHandler() throws Exception {
            InvokeResponse response = invoke("hello");
            assertThat(response.success()).isTrue();
            assertThat(new String(response.result(), StandardCharsets.UTF_8)).isEqualTo("HELLO");
            assertThat(response.metadata()).containsEntry("k", "v");
            assertThat(response.callId()).hasValue("call-1");
            assertThat(response.executionDuration()).isPresent();
        }

        @Test
        @DisplayName("turns a handler exception into success:false with its message")
        void handlerFailure() throws Exception {
            InvokeResponse response = invoke("fail:it broke");
            assertThat(response.success()).isFalse();
            assertThat(response.error()).hasValue("it broke");
            assertThat(response.errorType()).hasValue(IllegalStateException.class.getName());
        }

        @Test
        @DisplayName("reports a cold start for the first call of the process only")
        void coldStartOnce() throws Exception {
            invoke("one");
            InvokeResponse later = invoke("two");
            assertThat(later.coldStart()).hasValue(false);
            assertThat(later.initDuration()).isEmpty();
        }

        @Test
        @DisplayName("answers a body that is not a spec request with success:false naming the problem")
        void badSpecRequest() throws Exception {
            HttpResponse<byte[]> response = post("/job", envelope("not json".getBytes(StandardCharsets.UTF_8)),
                    null);
            JsonNode res = json.readTree(response.body()).path("Outputs").path("res");
            InvokeResponse answer = codec.decodeResponse(res.path("body").asText().getBytes(StandardCharsets.UTF_8));
            assertThat(answer.success()).isFalse();
        }

        @Test
        @DisplayName("refuses a message that is not a custom-handler request with 400")
        void badEnvelope() throws Exception {
            assertThat(post("/job", "{\"nope\":1}".getBytes(StandardCharsets.UTF_8), null).statusCode())
                    .isEqualTo(400);
        }

        @Test
        @DisplayName("answers a forwarded raw request on /api/... with the spec response itself")
        void forwardedRequest() throws Exception {
            byte[] request = codec.encodeRequest(InvokeRequest.of(9, "raw".getBytes(StandardCharsets.UTF_8)));
            HttpResponse<byte[]> response = post("/api/job", request, null);
            InvokeResponse answer = codec.decodeResponse(response.body());
            assertThat(answer.jobId()).isEqualTo(9);
            assertThat(new String(answer.result(), StandardCharsets.UTF_8)).isEqualTo("RAW");
        }

        @Test
        @DisplayName("answers the host's readiness probe")
        void readiness() throws Exception {
            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + server.port() + "/")).GET().build(), HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("runs a native bootstrap once per call behind the same protocol")
    void runsBootstrap(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        Path bootstrap = dir.resolve("bootstrap");
        Files.writeString(bootstrap, """
                #!/usr/bin/python3
                import json, sys
                request = json.load(sys.stdin)
                print(json.dumps({"job_id": request["job_id"], "result": list(reversed(request["args"])),
                                  "success": True}))
                """);
        assertThat(bootstrap.toFile().setExecutable(true)).isTrue();
        try (CustomHandlerServer launcher = CustomHandlerServer.forBootstrap(bootstrap).port(0).start()) {
            byte[] request = codec.encodeRequest(InvokeRequest.of(3, "abc".getBytes(StandardCharsets.UTF_8)),
                    PayloadEncoding.BASE64);
            HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + launcher.port() + "/job")).POST(HttpRequest.BodyPublishers.ofByteArray(envelope(request)))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            JsonNode res = json.readTree(response.body()).path("Outputs").path("res");
            InvokeResponse answer = codec.decodeResponse(res.path("body").asText().getBytes(StandardCharsets.UTF_8));
            assertThat(answer.success()).isTrue();
            assertThat(new String(answer.result(), StandardCharsets.UTF_8)).isEqualTo("cba");
            assertThat(answer.coldStart()).hasValue(true);
            assertThat(answer.executionDuration()).isPresent();
        }
    }
}
