package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a server without an API key refuses, how it treats slow clients, and the smaller request defects. */
class SafeDefaultsTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.limits(ServerLimits.builder().requestBodyTimeout(Duration.ofSeconds(1))
                .maxKeepWarm(2).maxRequestBytes(64 * 1024).build()));
        server.deploy("hello", Bootstraps.script(Bootstraps.V1_ECHO));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Sends {@code request} as written on a raw connection and answers the whole response. */
    static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    static JsonNode body(String response) {
        return Json.of(response.substring(response.indexOf("\r\n\r\n") + 4));
    }

    @Nested
    class WithoutAnApiKey {
        @Test
        void aForeignHostNameIsRefused() throws IOException {
            String response = raw("GET /api/functions/hello HTTP/1.1\r\nHost: attacker.example:8080\r\n"
                    + "Connection: close\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 403");
            assertThat(body(response).path("error").asText()).contains("not a loopback name");
        }

        @Test
        void loopbackHostNamesAreServed() throws IOException {
            for (String host : List.of("localhost", "127.0.0.1:1234", "[::1]")) {
                assertThat(raw("GET /api/functions/hello HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"))
                        .startsWith("HTTP/1.1 200");
            }
        }

        @Test
        void aCrossOriginRequestIsRefusedAndASameOriginOneServed() {
            HttpResponse<String> foreign = server.send(server.request("/api/functions/hello/invoke")
                    .header("Origin", "https://evil.example").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\":1,\"args\":[]}")).build());
            HttpResponse<String> local = server.send(server.request("/api/functions/hello/invoke")
                    .header("Origin", "http://localhost:" + server.server().port())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\":1,\"args\":[]}")).build());

            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(Json.of(foreign).path("error").asText()).contains("cross-origin");
            assertThat(local.statusCode()).isEqualTo(200);
        }

        @Test
        void anInvocationThatIsNotJsonIsRefused() {
            HttpResponse<String> response = server.send(server.request("/api/functions/hello/invoke")
                    .header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\":1,\"args\":[]}")).build());

            assertThat(response.statusCode()).isEqualTo(415);
            assertThat(Json.of(response).path("error").asText()).contains("application/json");
        }
    }

    @Nested
    class WithAnApiKey {
        @Test
        void aForeignHostNeedsOnlyTheKey() throws IOException {
            try (TestServer keyed = TestServer.start(b -> b.apiKey("k-1"))) {
                try (Socket socket = new Socket("127.0.0.1", keyed.server().port())) {
                    socket.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: faas.example\r\n"
                            + "Authorization: Bearer k-1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1))
                            .startsWith("HTTP/1.1 200");
                }
            }
        }
    }

    @Nested
    class ARequest {
        @Test
        void withAPathParameterInTheIdIsRefused() throws IOException {
            String response = raw("GET /api/functions/hello;x HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(body(response).path("code").asText()).isEqualTo("INVALID_FUNCTION_ID");
        }

        @Test
        void chunkedOverTheLimitGetsA413NotAReset() throws IOException {
            StringBuilder request = new StringBuilder("POST /api/functions/hello/invoke HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "x".repeat(4000);
            for (int i = 0; i < 50; i++) {
                request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
            }
            request.append("0\r\n\r\n");

            String response = raw(request.toString());

            assertThat(response).startsWith("HTTP/1.1 413");
            assertThat(body(response).path("code").asText()).isEqualTo("PAYLOAD_TOO_LARGE");
        }

        @Test
        void chunkedWithinTheLimitIsInvoked() throws IOException {
            String json = "{\"job_id\":5,\"args\":[1,2]}";
            String response = raw("POST /api/functions/hello/invoke HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                    + Integer.toHexString(json.length()) + "\r\n" + json + "\r\n0\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 200");
            assertThat(InvokeTest.numbers(body(response).path("result"))).containsExactly(1, 2);
        }

        @Test
        void withABadEscapeGetsAJsonError() throws IOException {
            String response = raw("GET /api/functions/%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 400");
            assertThat(body(response).path("code").asText()).isEqualTo("INVALID_FUNCTION_ID");
        }

        @Test
        void headOfTheMetricsIsAnswered() throws IOException {
            String response = raw("HEAD /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

            assertThat(response).startsWith("HTTP/1.1 200");
        }

        @Test
        void expectingContinueGetsARefusalBeforeSendingItsBody() throws IOException {
            try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
                socket.setSoTimeout(5_000);
                socket.getOutputStream().write(("PUT /api/functions/hello HTTP/1.1\r\nHost: localhost\r\n"
                        + "Content-Type: application/zip\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                String status = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1)).readLine();

                assertThat(status).startsWith("HTTP/1.1 409");
            }
        }

        @Test
        void expectingContinueGetsContinueForADeployThatCanProceed() throws IOException {
            byte[] zip = Bootstraps.script(Bootstraps.V1_ECHO);
            try (Socket socket = new Socket("127.0.0.1", server.server().port())) {
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(("PUT /api/functions/continued HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                        + "Content-Type: application/zip\r\nContent-Length: " + zip.length
                        + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = socket.getInputStream();
                String first = readLine(in);
                assertThat(first).startsWith("HTTP/1.1 100");
                out.write(zip);
                out.flush();
                String rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertThat(rest).contains("HTTP/1.1 200");
            }
        }

        private String readLine(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            return line.toString().trim();
        }
    }

    @Nested
    class SlowUploads {
        @Test
        void areCutOffAndCleanedWhileTheOtherEndpointsKeepAnswering() throws Exception {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    Socket socket = new Socket("127.0.0.1", server.server().port());
                    socket.getOutputStream().write(("PUT /api/functions/slow-" + i + " HTTP/1.1\r\nHost: localhost\r\n"
                            + "Content-Length: 100000\r\n\r\nPK").getBytes(StandardCharsets.ISO_8859_1));
                    stalled.add(socket);
                }
                long start = System.nanoTime();
                HttpResponse<String> info = server.get("/api/functions/hello");
                HttpResponse<String> health = server.get("/api/functions/hello/health");
                assertThat(info.statusCode()).isEqualTo(200);
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

                Await.until(Duration.ofSeconds(15), "the stalled uploads are gone from staging", () -> {
                    try (Stream<Path> files = Files.list(server.dataDirectory().resolve("staging"))) {
                        return files.findAny().isEmpty();
                    } catch (IOException e) {
                        return false;
                    }
                });
                stalled.get(0).setSoTimeout(10_000);
                String answer = new String(stalled.get(0).getInputStream().readAllBytes(),
                        StandardCharsets.ISO_8859_1);
                assertThat(answer).isEmpty();
            } catch (java.net.SocketException closed) {
                // A reset from the server is also a way of cutting a stalled upload off.
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    @Nested
    class BoundedInstances {
        @Test
        void keepWarmIsCappedByTheServer() {
            server.deploy("greedy", Bootstraps.script(Bootstraps.V1_ECHO), "{\"keep_warm\":50}", false);

            HttpResponse<String> warmed = server.post("/api/functions/greedy/warm", "");

            assertThat(Json.of(warmed).path("instances_warmed").asInt()).isEqualTo(2);
        }

        @Test
        void aFunctionWithoutKeepWarmKeepsNoProcessWaitingOnceItsFirstIsUsed() {
            server.deploy("lean", Bootstraps.script(Bootstraps.V1_ECHO));
            server.invoke("lean", "{\"job_id\":1,\"args\":[]}");

            Await.until(Duration.ofSeconds(5), "no idle instance", () -> Json.of(server.get(
                    "/api/functions/lean/metrics")).path("instances").path("idle").asInt() == 0);
            assertThat(Json.of(server.invoke("lean", "{\"job_id\":1,\"args\":[]}")).path("cold_start").asBoolean())
                    .isTrue();
        }

        @Test
        void theServerKeepsAtMostItsIdleInstancesWaitingOverAllFunctions() {
            try (TestServer small = TestServer.start(b -> b.limits(ServerLimits.builder().maxIdleInstances(1)
                    .build()))) {
                small.deploy("first", Bootstraps.script(Bootstraps.V1_ECHO));
                small.deploy("second", Bootstraps.script(Bootstraps.V1_ECHO));
                small.deploy("third", Bootstraps.script(Bootstraps.PERSISTENT_ECHO), "{\"worker_mode\":\"persistent\"}",
                        false);

                int idle = 0;
                for (String id : List.of("first", "second", "third")) {
                    idle += Json.of(small.get("/api/functions/" + id + "/metrics")).path("instances").path("idle")
                            .asInt();
                }
                assertThat(idle).isEqualTo(1);
                for (String id : List.of("first", "second", "third")) {
                    assertThat(Json.of(small.invoke(id, "{\"job_id\":1,\"args\":[3]}")).path("result").get(0)
                            .asInt()).isEqualTo(3);
                }
            }
        }

        @Test
        void storedConfigurationsAreReadableByTheServerOnly() throws IOException {
            server.deploy("secretive", Bootstraps.script(Bootstraps.V1_ECHO), "{\"env_vars\":{\"K\":\"v\"}}", false);

            Path descriptor = server.dataDirectory().resolve("functions/secretive/function.json");

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(descriptor)))
                    .isEqualTo("rw-------");
        }
    }

    @Nested
    class AServerKilledHard {
        @Test
        void takesItsInstancesWithItAndServesAgainAfterARestart(@TempDir Path dir) throws Exception {
            assumeTrue(Sandboxes.bubblewrapInstalled(), Sandboxes.MISSING);
            Path data = dir.resolve("data");
            Process first = startServer(data, dir.resolve("first.log"));
            URI base;
            try {
                base = baseOf(first);
                TestServer.Client client = new TestServer.Client(base);
                assertThat(client.deploy("kept", Bootstraps.script("#!/bin/sh\nsetsid sh -c 'sleep 4051' "
                        + "</dev/null >/dev/null 2>&1 &\n" + Bootstraps.PERSISTENT_ECHO.substring(10)),
                        "{\"worker_mode\":\"persistent\",\"keep_warm\":1}").statusCode()).isEqualTo(200);
                Await.until(Duration.ofSeconds(10), "the worker's daemon runs",
                        () -> Sandboxes.processesRunning("sleep 4051") > 0);
            } finally {
                first.destroyForcibly();
                first.waitFor(10, TimeUnit.SECONDS);
            }

            Await.until(Duration.ofSeconds(10), "the killed server's instances are gone",
                    () -> Sandboxes.processesRunning("sleep 4051") == 0);
            Process second = startServer(data, dir.resolve("second.log"));
            try {
                TestServer.Client client = new TestServer.Client(baseOf(second));
                JsonNode answer = Json.of(client.invoke("kept", "{\"job_id\":1,\"args\":[7]}"));
                assertThat(InvokeTest.numbers(answer.path("result"))).containsExactly(7);
            } finally {
                // Stopped gracefully: a server that stops this way removes its cgroups.
                second.destroy();
                if (!second.waitFor(30, TimeUnit.SECONDS)) {
                    second.destroyForcibly();
                }
            }
        }

        private Process startServer(Path data, Path log) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    ReferenceServerMain.class.getName(), "--port", "0", "--data-dir", data.toString()))
                    .redirectError(log.toFile()).start();
        }

        private URI baseOf(Process process) throws IOException {
            String line = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            return URI.create(line.substring(line.indexOf("http://")).split(" ")[0]);
        }
    }
}
