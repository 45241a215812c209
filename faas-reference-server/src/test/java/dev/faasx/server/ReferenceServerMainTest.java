package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReferenceServerMainTest {

    @Nested
    class TheArguments {
        @Test
        void requireADataDirectory() {
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--port", "8080"}, Map.of()))
                    .hasMessageContaining("--data-dir");
        }

        @Test
        void refuseUnknownOptionsAndMissingValues() {
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--data-dir", "x", "--fast", "1"},
                    Map.of())).hasMessageContaining("--fast");
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--data-dir"}, Map.of()))
                    .hasMessageContaining("needs a value");
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--data-dir", "x", "--port", "eighty"},
                    Map.of())).hasMessageContaining("--port");
        }

        @Test
        void chooseTheIsolationAndTheFunctionNetwork() {
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--data-dir", "x", "--isolation",
                    "chroot"}, Map.of())).hasMessageContaining("--isolation must be sandbox or none");
            assertThatThrownBy(() -> ReferenceServerMain.parse(new String[] {"--data-dir", "x",
                    "--function-network", "some"}, Map.of())).hasMessageContaining("--function-network");
            assertThat(ReferenceServerMain.parse(new String[] {"--data-dir", "x", "--isolation", "none",
                    "--function-network", "none", "--function-read-only", "/opt"}, Map.of())).isNotNull();
        }

        @Test
        void askingForHelpStartsNothing() {
            assertThat(ReferenceServerMain.parse(new String[] {"--help"}, Map.of())).isNull();
        }
    }

    @Nested
    class TheProcess {
        @Test
        void printsItsUrlServesRequestsAndStopsGracefullyOnSigterm(@TempDir Path dir) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    ReferenceServerMain.class.getName(), "--port", "0", "--data-dir", dir.resolve("data").toString()))
                    .redirectError(dir.resolve("stderr.log").toFile())
                    .start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                String line = out.readLine();
                assertThat(line).startsWith("faasx reference server listening on http://127.0.0.1:");
                URI base = URI.create(line.substring(line.indexOf("http://")).split(" ")[0]);
                assertThat(line).contains("bound to 127.0.0.1:" + base.getPort())
                        .containsPattern("isolation (sandbox|none)").contains("limits per instance");
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        base.resolve("/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.statusCode()).isEqualTo(200);

                process.destroy();

                assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String log = Files.readString(dir.resolve("stderr.log"));
                assertThat(log).contains("no API key set").contains("faasx reference server stopped");
            } finally {
                process.destroyForcibly();
            }
        }

        @Test
        void exitsWithAUsageMessageOnBadArguments(@TempDir Path dir) throws IOException, InterruptedException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                    ReferenceServerMain.class.getName(), "--port", "0")).redirectErrorStream(true).start();

            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(2);
            assertThat(output).contains("--data-dir is required").contains("usage:");
        }
    }
}
