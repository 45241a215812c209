package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C echo of {@code native/echo.c}, compiled with gcc; skipped where gcc is not installed. */
class NativeBootstrapTest {
    private static TestServer server;
    private static byte[] zip;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        Optional<byte[]> binary = Bootstraps.nativeEcho(dir);
        assumeTrue(binary.isPresent(), "gcc is not installed: skipping the native bootstrap tests");
        zip = dev.faasx.core.FunctionPackage.bootstrapBinary(binary.get()).zip();
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answersAsAOneShotProcess() {
        server.deploy("c-v1", zip);

        JsonNode body = Json.of(server.invoke("c-v1", "{\"job_id\":12,\"args\":[1,2,3]}"));

        assertThat(body.path("job_id").asLong()).isEqualTo(12);
        assertThat(InvokeTest.numbers(body.path("result"))).containsExactly(1, 2, 3);
        assertThat(body.path("cold_start").asBoolean()).isFalse();
    }

    @Test
    void answersAsAPersistentWorkerWithItsPeakMemory() {
        server.deploy("c-worker", zip, "{\"worker_mode\":\"persistent\"}", false);

        JsonNode body = Json.of(server.invoke("c-worker", "{\"job_id\":13,\"args_base64\":\"AQID\"}"));

        assertThat(body.path("result_base64").asText()).isEqualTo("AQID");
        assertThat(body.path("memory_used_mb").asLong()).isPositive();
        assertThat(body.path("cold_start").asBoolean()).isFalse();
    }
}
