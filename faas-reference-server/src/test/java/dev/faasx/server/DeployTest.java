package dev.faasx.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeployTest {
    private static final long MAX_PACKAGE = 64 * 1024;
    private static final long MAX_UNCOMPRESSED = 256 * 1024;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(b -> b.limits(ServerLimits.builder().maxPackageBytes(MAX_PACKAGE)
                .maxUncompressedBytes(MAX_UNCOMPRESSED).prespawnedProcesses(1).build()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Nested
    class AValidPackage {
        @Test
        void deploysAndAnswersTheV1DeployFields() {
            HttpResponse<String> response = server.deploy("valid-1", Bootstraps.script(Bootstraps.V1_ECHO),
                    "{\"memory_mb\":256,\"timeout_secs\":30,\"max_concurrency\":5,\"env_vars\":{}}", false);

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Json.of(response);
            assertThat(body.path("function_id").asText()).isEqualTo("valid-1");
            assertThat(body.path("status").asText()).isEqualTo("deployed");
            assertThat(body.path("endpoint").asText()).isEqualTo(server.uri("/api/functions/valid-1/invoke")
                    .toString());
            assertThat(body.path("memory_mb").asInt()).isEqualTo(256);
            assertThat(body.path("timeout_secs").asInt()).isEqualTo(30);
            assertThat(body.path("cold_start_ms").isIntegralNumber()).isTrue();
        }

        @Test
        void isDescribedByGetWithDeployTimeAndPackageSize() {
            byte[] zip = Bootstraps.script(Bootstraps.V1_ECHO);
            server.deploy("valid-2", zip);

            HttpResponse<String> response = server.get("/api/functions/valid-2");

            assertThat(response.statusCode()).isEqualTo(200);
            JsonNode body = Json.of(response);
            assertThat(body.path("function_id").asText()).isEqualTo("valid-2");
            assertThat(body.path("binary_size_bytes").asLong()).isEqualTo(zip.length);
            assertThat(body.path("deployed_at").asText()).isNotEmpty();
            assertThat(body.path("timeout_secs").asInt()).isEqualTo(300);
        }

        @Test
        void refusesASecondDeployWithoutOverwrite() {
            server.deploy("valid-3", Bootstraps.script(Bootstraps.V1_ECHO));

            HttpResponse<String> again = server.deploy("valid-3", Bootstraps.script(Bootstraps.V1_ECHO));

            assertThat(again.statusCode()).isEqualTo(409);
            assertThat(Json.of(again).path("code").asText()).isEqualTo("FUNCTION_EXISTS");
            assertThat(Json.of(again).path("error").asText()).contains("overwrite=true");
        }

        @Test
        void isReplacedByAnOverwritingDeploy() {
            server.deploy("valid-4", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "printf '{\"job_id\":1,\"result\":[1],\"success\":true}'\n"));

            HttpResponse<String> replaced = server.deploy("valid-4", Bootstraps.script("#!/bin/sh\ncat >/dev/null\n"
                    + "printf '{\"job_id\":1,\"result\":[2],\"success\":true}'\n"), null, true);

            assertThat(replaced.statusCode()).isEqualTo(200);
            assertThat(Json.of(server.invoke("valid-4", "{\"job_id\":1,\"args\":[]}")).path("result").get(0)
                    .asInt()).isEqualTo(2);
        }

        @Test
        void isRemovedByDeleteAndThenUnknown() {
            server.deploy("valid-5", Bootstraps.script(Bootstraps.V1_ECHO));

            HttpResponse<String> deleted = server.delete("/api/functions/valid-5");

            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(Json.of(deleted).path("status").asText()).isEqualTo("deleted");
            assertThat(server.get("/api/functions/valid-5").statusCode()).isEqualTo(404);
            assertThat(server.delete("/api/functions/valid-5").statusCode()).isEqualTo(404);
            assertThat(Json.of(server.invoke("valid-5", "{\"job_id\":1,\"args\":[]}")).path("code").asText())
                    .isEqualTo("FUNCTION_NOT_FOUND");
        }
    }

    @Nested
    class AFunctionId {
        @ParameterizedTest
        @ValueSource(strings = {"-leading-dash", "_leading", "has.dot", "has%20space",
                "a234567890123456789012345678901234567890123456789012345678901234"})
        void outsideThePatternIsRefused(String id) {
            HttpResponse<String> response = server.deploy(id, Bootstraps.script(Bootstraps.V1_ECHO));

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("INVALID_FUNCTION_ID");
        }

        @Test
        void ofSixtyThreeCharactersIsAccepted() {
            String id = "A" + "b".repeat(60) + "_9";

            assertThat(server.deploy(id, Bootstraps.script(Bootstraps.V1_ECHO)).statusCode()).isEqualTo(200);
        }
    }

    @Nested
    class AConfigHeader {
        @Test
        void thatIsNotBase64IsRefusedNamingTheHeader() {
            HttpResponse<String> response = server.send(server.request("/api/functions/cfg-1")
                    .header("X-Blueprint-Config", "%%% not base64 %%%")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Bootstraps.script(
                            Bootstraps.V1_ECHO))).build());

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("INVALID_CONFIG");
            assertThat(Json.of(response).path("error").asText()).containsIgnoringCase("base64");
        }

        @Test
        void thatIsNotJsonIsRefused() {
            HttpResponse<String> response = server.deploy("cfg-2", Bootstraps.script(Bootstraps.V1_ECHO),
                    "not json", false);

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("code").asText()).isEqualTo("INVALID_CONFIG");
        }

        @Test
        void withValuesOutOfRangeIsRefusedNamingEachField() {
            HttpResponse<String> response = server.deploy("cfg-3", Bootstraps.script(Bootstraps.V1_ECHO),
                    "{\"memory_mb\":64,\"timeout_secs\":901,\"max_concurrency\":0}", false);

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("error").asText())
                    .contains("memory_mb").contains("timeout_secs").contains("max_concurrency");
            assertThat(server.get("/api/functions/cfg-3").statusCode()).isEqualTo(404);
        }

        @Test
        void withAnUnknownWorkerModeIsRefused() {
            HttpResponse<String> response = server.deploy("cfg-4", Bootstraps.script(Bootstraps.V1_ECHO),
                    "{\"worker_mode\":\"threads\"}", false);

            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(Json.of(response).path("error").asText()).contains("worker_mode");
        }
    }

    @Nested
    class AHostilePackage {
        @Test
        void withADotDotEntryIsRefused() {
            assertRefused("evil-1", Zips.create().file("bootstrap", "#!/bin/sh\n").file("../escape", "x")
                    .build(), 400, "INVALID_PACKAGE", "..");
        }

        @Test
        void withAnAbsolutePathIsRefused() {
            assertRefused("evil-2", Zips.create().file("bootstrap", "#!/bin/sh\n").file("/tmp/escape", "x")
                    .build(), 400, "INVALID_PACKAGE", "absolute");
        }

        @Test
        void withASymlinkIsRefused() {
            assertRefused("evil-3", Zips.create().file("bootstrap", "#!/bin/sh\n").symlink("passwd", "/etc/passwd")
                    .build(), 400, "INVALID_PACKAGE", "symbolic link");
        }

        @Test
        void whoseBootstrapIsASymlinkIsRefused() {
            assertRefused("evil-4", Zips.create().symlink("bootstrap", "/bin/sh").build(), 400,
                    "INVALID_PACKAGE", "symbolic link");
        }

        @Test
        void withoutABootstrapIsRefused() {
            assertRefused("evil-5", Zips.create().file("main.sh", "#!/bin/sh\n").build(), 400, "INVALID_PACKAGE",
                    "bootstrap");
        }

        @Test
        void thatIsNotAZipIsRefused() {
            assertRefused("evil-6", "just some text".getBytes(), 400, "INVALID_PACKAGE", "zip");
        }

        @Test
        void thatIsEmptyIsRefused() {
            assertRefused("evil-7", new byte[0], 400, "INVALID_PACKAGE", "empty");
        }

        @Test
        void largerThanTheUploadLimitIsRefusedWith413() {
            byte[] noise = new byte[(int) MAX_PACKAGE * 2];
            new Random(7).nextBytes(noise);
            assertRefused("evil-8", Zips.create().file("bootstrap", "#!/bin/sh\n").file("noise", noise, 0100644)
                    .build(), 413, "PAYLOAD_TOO_LARGE", "larger than");
        }

        @Test
        void thatExpandsBeyondTheLimitIsRefusedWith413() {
            byte[] zeros = new byte[(int) MAX_UNCOMPRESSED * 4];
            byte[] bomb = Zips.create().file("bootstrap", "#!/bin/sh\n").file("zeros", zeros, 0100644).build();
            assertThat(bomb.length).isLessThan((int) MAX_PACKAGE);

            assertRefused("evil-9", bomb, 413, "PAYLOAD_TOO_LARGE", "expands");
        }

        @Test
        void thatLiesAboutItsUncompressedSizeIsStillRefusedWith413() {
            byte[] zeros = new byte[(int) MAX_UNCOMPRESSED * 4];
            byte[] liar = Zips.lyingAboutSize(Zips.create().file("bootstrap", "#!/bin/sh\n")
                    .file("zeros", zeros, 0100644).build(), 10);

            assertRefused("evil-10", liar, 413, "PAYLOAD_TOO_LARGE", "expands");
        }

        @Test
        void leavesNothingBehindWhenRefused() throws IOException {
            server.deploy("evil-11", Zips.create().file("bootstrap", "#!/bin/sh\n").file("../x", "x").build());

            try (Stream<Path> staging = Files.list(server.dataDirectory().resolve("staging"))) {
                assertThat(staging).isEmpty();
            }
            assertThat(server.dataDirectory().resolve("functions/evil-11/function.json")).doesNotExist();
        }

        private void assertRefused(String id, byte[] zip, int status, String code, String messagePart) {
            HttpResponse<String> response = server.deploy(id, zip);

            assertThat(response.statusCode()).isEqualTo(status);
            JsonNode body = Json.of(response);
            assertThat(body.path("code").asText()).isEqualTo(code);
            assertThat(body.path("error").asText()).contains(messagePart);
            assertThat(server.get("/api/functions/" + id).statusCode()).isEqualTo(404);
        }
    }
}
