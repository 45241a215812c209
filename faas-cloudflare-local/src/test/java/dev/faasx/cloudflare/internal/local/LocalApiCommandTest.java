package dev.faasx.cloudflare.internal.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.cloudflare.support.Workerd;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The command line of the runnable jar, run as its own process. */
class LocalApiCommandTest {
    @Test
    void printsItsBaseUrlServesTheApiAndStopsWorkerdOnShutdown() throws Exception {
        Path workerd = Workerd.binary();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                LocalApiCommand.class.getName(), "--port", "0", "--workerd", workerd.toString(),
                "--token", "command-line-token-123")).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String baseUrl = out.readLine();

            assertThat(baseUrl).matches("http://127\\.0\\.0\\.1:\\d+/client/v4");
            HttpResponse<String> verify = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(baseUrl + "/user/tokens/verify")).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer command-line-token-123").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(verify.statusCode()).isEqualTo(200);
            assertThat(verify.body()).contains("\"status\":\"active\"");
        } finally {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the command stops on SIGTERM").isTrue();
        }
    }
}
