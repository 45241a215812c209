package dev.faasx.digitalocean.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The official OpenWhisk JavaScript client ({@code openwhisk} on npm) against the emulator. Installs the client into
 * {@code target/openwhisk-js} on first use; skipped when node or npm is missing or the install fails (offline).
 */
class OpenWhiskJsClientTest {
    private static final String CLIENT = "openwhisk@3.21.9";

    @Test
    @DisplayName("the official OpenWhisk JS client creates, invokes, reads activations and deletes actions")
    void officialClientWorks() throws Exception {
        Path dir = Path.of("target", "openwhisk-js").toAbsolutePath();
        assumeTrue(install(dir), "node/npm missing, or " + CLIENT + " could not be installed");
        Path script = dir.resolve("check.js");
        try (InputStream in = getClass().getResourceAsStream("/openwhisk-client-check.js")) {
            Files.write(script, in.readAllBytes());
        }
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().build()) {
            assumeTrue(local.runsPython(), "python3 is not installed");
            LocalDigitalOcean.LocalNamespace ns = local.createNamespace("js-client");
            Process p = new ProcessBuilder("node", script.toString(), ns.apiHost().toString(), ns.auth())
                    .directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            JsonNode seen = OpenWhiskClient.JSON.readTree(out.lines().reduce((a, b) -> b).orElse("{}"));
            assertThat(seen.path("result").path("hi").asText()).isEqualTo("hello js");
            assertThat(seen.path("status").asText()).isEqualTo("success");
            assertThat(seen.path("logs").path("logs").isArray()).isTrue();
            assertThat(seen.path("names").toString()).contains("greet");
            assertThat(seen.path("missing").asInt()).isEqualTo(404);
        }
    }

    private static boolean install(Path dir) throws InterruptedException {
        if (Files.isDirectory(dir.resolve("node_modules/openwhisk"))) {
            return true;
        }
        try {
            Files.createDirectories(dir);
            Process p = new ProcessBuilder(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix",
                    dir.toString(), CLIENT)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0 && Files.isDirectory(dir.resolve("node_modules/openwhisk"));
        } catch (IOException e) {
            return false;
        }
    }
}
