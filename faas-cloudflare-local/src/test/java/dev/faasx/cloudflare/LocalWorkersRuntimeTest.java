package dev.faasx.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.faasx.cloudflare.support.TestModules;
import dev.faasx.cloudflare.support.Workerd;
import dev.faasx.core.InvalidRequestException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalWorkersRuntimeTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalWorkersRuntime runtime;

    @BeforeAll
    void startRuntime() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(Workerd.binary()).build();
    }

    @AfterAll
    void stopRuntime() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private String get(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("status of %s: %s", uri, response.body()).isEqualTo(200);
        return response.body();
    }

    @Nested
    class Deploying {
        @Test
        void runsJavaScriptThatCallsWebAssembly() throws Exception {
            LocalWorker worker = runtime.deploy(WorkerScript.of("wasm-add", TestModules.wasmAddFetchWorker()));

            assertThat(get(worker.url().resolve("/?a=19&b=23"))).isEqualTo("19+23=42");
            assertThat(worker.startup()).isPositive();
        }

        @Test
        void passesTextAndJsonBindingsToTheWorker() throws Exception {
            WorkerScript script = WorkerScript.of("bindings", TestModules.worker(
                            "export default { fetch(r, env) { return new Response(env.GREETING + ' ' + env.CONF.n); } };"))
                    .withBindings(List.of(WorkerBinding.text("GREETING", "hello \"quoted\" \\ world"),
                            WorkerBinding.json("CONF", "{\"n\": 7}")));

            LocalWorker worker = runtime.deploy(script);

            assertThat(get(worker.url())).isEqualTo("hello \"quoted\" \\ world 7");
        }

        @Test
        void redeployServesTheNewVersionAndRetiresTheOld() throws Exception {
            LocalWorker first = runtime.deploy(WorkerScript.of("versions", TestModules.textWorker("one")));
            LocalWorker second = runtime.deploy(WorkerScript.of("versions", TestModules.textWorker("two")));

            assertThat(get(second.url())).isEqualTo("two");
            assertThat(runtime.worker("versions")).contains(second);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThatThrownBy(() ->
                    http.send(HttpRequest.newBuilder(first.url()).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class));
        }

        @Test
        void removeStopsTheWorker() throws Exception {
            LocalWorker worker = runtime.deploy(WorkerScript.of("short-lived", TestModules.textWorker("bye")));
            assertThat(get(worker.url())).isEqualTo("bye");

            assertThat(runtime.remove("short-lived")).isTrue();

            assertThat(runtime.worker("short-lived")).isEmpty();
            assertThat(runtime.remove("short-lived")).isFalse();
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(worker.url())
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(IOException.class);
        }
    }

    @Nested
    class RefusingBrokenWorkers {
        @Test
        void reportsWorkerdsOwnWordsForASyntaxError() {
            assertThatThrownBy(() -> runtime.deploy(WorkerScript.of("broken",
                    TestModules.worker("export default { fetch( {"))))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("SyntaxError");
        }

        @Test
        void reportsAnExceptionThrownWhileTheModuleLoads() {
            assertThatThrownBy(() -> runtime.deploy(WorkerScript.of("throws-at-load",
                    TestModules.worker("throw new Error('no config for this worker');"))))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("no config for this worker");
        }

        @Test
        void keepsTheRunningVersionWhenARedeployFails() throws Exception {
            runtime.deploy(WorkerScript.of("stable", TestModules.textWorker("still here")));

            assertThatThrownBy(() -> runtime.deploy(WorkerScript.of("stable", TestModules.worker("}"))))
                    .isInstanceOf(InvalidRequestException.class);

            assertThat(get(runtime.worker("stable").orElseThrow().url())).isEqualTo("still here");
        }
    }

    @Nested
    class FindingWorkerd {
        @Test
        void acceptsABinaryPathRelativeToTheWorkingDirectory() throws Exception {
            java.nio.file.Path relative = java.nio.file.Path.of("").toAbsolutePath().relativize(Workerd.binary());
            try (LocalWorkersRuntime other = LocalWorkersRuntime.builder().workerdBinary(relative).build()) {
                LocalWorker worker = other.deploy(WorkerScript.of("relative", TestModules.textWorker("found")));

                assertThat(get(worker.url())).isEqualTo("found");
            }
        }

        @Test
        void explainsHowToGetWorkerdWhenTheBinaryIsMissing() {
            assertThatThrownBy(() -> LocalWorkersRuntime.builder()
                    .workerdBinary(java.nio.file.Path.of("no", "such", "workerd")).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not an executable file");
            assertThat(LocalWorkersRuntime.workerdVersion()).isEqualTo(System.getProperty("faasx.workerd.version"));
        }
    }

    @Nested
    class AnalyticsEngine {
        @Test
        void capturesEachDataPointTheWorkerWrites() throws Exception {
            WorkerScript script = WorkerScript.of("metrics", TestModules.worker("""
                            export default { fetch(request, env) {
                              env.AE.writeDataPoint({ indexes: ["req-42"], blobs: ["ok", "cold"], doubles: [12.5, 1] });
                              return new Response("written");
                            } };"""))
                    .withBindings(List.of(WorkerBinding.analyticsEngine("AE", "runtime_test")));
            LocalWorker worker = runtime.deploy(script);

            assertThat(get(worker.url())).isEqualTo("written");

            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.dataPoints().stream()
                    .anyMatch(p -> p.index1().equals("req-42")));
            AnalyticsDataPoint point = runtime.dataPoints().stream().filter(p -> p.index1().equals("req-42"))
                    .findFirst().orElseThrow();
            assertThat(point.dataset()).isEqualTo("runtime_test");
            assertThat(point.blobs()).containsExactly("ok", "cold");
            assertThat(point.doubleValue(1)).isEqualTo(12.5);
            assertThat(point.doubleValue(2)).isEqualTo(1.0);
            assertThat(point.timestamp()).isBetween(worker.deployedAt().minusSeconds(5),
                    java.time.Instant.now().plusSeconds(5));
        }
    }
}
