package dev.faasx.core.spec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.InvalidRequestException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DeployConfigTest {

    private static String header(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(UTF_8));
    }

    private static InvalidRequestException headerFailure(String headerValue) {
        try {
            DeployConfig.fromHeader(headerValue);
        } catch (InvalidRequestException e) {
            return e;
        }
        throw new AssertionError("expected the header to be rejected: " + headerValue);
    }

    @Nested
    @DisplayName("the X-Blueprint-Config header")
    class Header {
        @Test
        void roundTripsEveryField() {
            DeployConfig config = new DeployConfig(1024, Duration.ofSeconds(60), 20,
                    Map.of("LOG_LEVEL", "debug", "EMPTY", ""), Optional.of(WorkerMode.PERSISTENT), 3);

            assertThat(DeployConfig.fromHeader(config.toHeader())).isEqualTo(config);
        }

        @Test
        void decodesTheV1Example() {
            DeployConfig config = DeployConfig.fromHeader(header(
                    "{\"memory_mb\":512,\"timeout_secs\":300,\"max_concurrency\":10,\"env_vars\":{\"KEY\":\"value\"}}"));

            assertThat(config).isEqualTo(new DeployConfig(512, Duration.ofSeconds(300), 10, Map.of("KEY", "value"),
                    Optional.empty(), 0));
            assertThat(config.effectiveWorkerMode()).isEqualTo(WorkerMode.PROCESS);
        }

        @Test
        void missingFieldsTakeTheDefaults() {
            DeployConfig config = DeployConfig.fromHeader(header("{\"memory_mb\":256,\"timeout_secs\":60}"));

            assertThat(config.memoryMb()).isEqualTo(256);
            assertThat(config.maxConcurrency()).isEqualTo(FaasConfig.DEFAULT_MAX_CONCURRENCY);
            assertThat(config.envVars()).isEmpty();
            assertThat(DeployConfig.fromHeader(header("{}"))).isEqualTo(DeployConfig.defaults());
        }

        @Test
        void unknownFieldsAreIgnoredAndSurroundingSpaceIsTrimmed() {
            assertThat(DeployConfig.fromHeader(" " + header("{\"memory_mb\":256,\"gpu\":true}") + "\n").memoryMb())
                    .isEqualTo(256);
        }

        @Test
        void aV1ConfigEncodesWithoutExtensions() {
            DeployConfig config = new DeployConfig(512, Duration.ofSeconds(300), 10, Map.of(), Optional.empty(), 0);

            String json = new String(Base64.getDecoder().decode(config.toHeader()), UTF_8);

            assertThat(json).isEqualTo("{\"memory_mb\":512,\"timeout_secs\":300,\"max_concurrency\":10,"
                    + "\"env_vars\":{}}");
        }

        @Test
        void invalidBase64IsRejected() {
            assertThat(headerFailure("%%%not-base64%%%").violations())
                    .singleElement().asString().contains("X-Blueprint-Config is not valid base64");
        }

        @Test
        void nonJsonIsRejected() {
            assertThat(headerFailure(header("memory=512")).violations())
                    .singleElement().asString().contains("X-Blueprint-Config is not valid JSON");
            assertThat(headerFailure(header("[512]")).violations())
                    .singleElement().asString().contains("must hold a JSON object, was an array");
            assertThat(headerFailure(header("   ")).violations())
                    .singleElement().asString().contains("holds no JSON");
        }

        @Test
        void emptyHeaderIsRejected() {
            assertThat(headerFailure("  ").violations()).singleElement().asString().contains("is empty");
        }

        @Test
        void everyOutOfRangeValueIsReportedAtOnceByFieldName() {
            InvalidRequestException e = headerFailure(header("{\"memory_mb\":64,\"timeout_secs\":901,"
                    + "\"max_concurrency\":0,\"keep_warm\":-1,\"worker_mode\":\"threads\","
                    + "\"env_vars\":{\"1BAD\":\"x\",\"OK\":7}}"));

            assertThat(e.violations()).hasSize(7).anySatisfy(v -> assertThat(v).startsWith("memory_mb"))
                    .anySatisfy(v -> assertThat(v).startsWith("timeout_secs"))
                    .anySatisfy(v -> assertThat(v).startsWith("max_concurrency"))
                    .anySatisfy(v -> assertThat(v).startsWith("keep_warm"))
                    .anySatisfy(v -> assertThat(v).startsWith("worker_mode"))
                    .anySatisfy(v -> assertThat(v).contains("env_vars name \"1BAD\""))
                    .anySatisfy(v -> assertThat(v).startsWith("env_vars.OK must be a string"));
            assertThat(e.errorCode()).contains("INVALID_CONFIG");
            assertThat(e.getMessage()).contains("memory_mb", "timeout_secs");
        }

        @Test
        void wrongTypesAreReportedByFieldName() {
            InvalidRequestException e = headerFailure(header("{\"memory_mb\":\"512\",\"timeout_secs\":1.5,"
                    + "\"max_concurrency\":99999999999999999999999,\"env_vars\":[],\"worker_mode\":1}"));

            assertThat(e.violations()).containsExactlyInAnyOrder(
                    "memory_mb must be an integer, was a string",
                    "timeout_secs must be an integer, was a decimal number",
                    "max_concurrency is far out of range: 99999999999999999999999",
                    "env_vars must be an object of strings, was an array",
                    "worker_mode must be a string, was an integer");
        }

        @Test
        void valuesBeyondIntRangeAreViolationsNotOverflows() {
            assertThat(headerFailure(header("{\"memory_mb\":4294967808}")).violations())
                    .containsExactly("memory_mb must be between 128 and 10240, was 4294967808");
        }

        @Test
        void violationsNeverEchoEnvironmentValues() {
            InvalidRequestException e = headerFailure(header("{\"memory_mb\":1,\"env_vars\":{\"TOKEN\":\"s3cret\"}}"));

            assertThat(e.getMessage()).doesNotContain("s3cret");
        }
    }

    @Nested
    @DisplayName("conversion to and from FaasConfig")
    class Conversion {
        @Test
        void roundTripsThroughFaasConfig() {
            FaasConfig config = FaasConfig.builder().memoryMb(2048).timeout(Duration.ofSeconds(45)).maxConcurrency(7)
                    .envVar("A", "1").keepWarmInstances(2).providerOption("worker_mode", "persistent").build();

            DeployConfig wire = DeployConfig.from(config);

            assertThat(wire.workerMode()).contains(WorkerMode.PERSISTENT);
            assertThat(wire.keepWarm()).isEqualTo(2);
            assertThat(wire.toFaasConfig()).isEqualTo(config);
        }

        @Test
        void aConfigWithoutWorkerModeStaysWithout() {
            assertThat(DeployConfig.from(FaasConfig.defaults()).toFaasConfig()).isEqualTo(FaasConfig.defaults());
        }

        @Test
        void otherProviderOptionsAreNotSent() {
            FaasConfig config = FaasConfig.builder().providerOption("aws.architecture", "arm64").build();

            assertThat(DeployConfig.from(config).toFaasConfig().providerOptions()).isEmpty();
        }

        @Test
        void aFractionalTimeoutIsRoundedUpToWholeSeconds() {
            FaasConfig config = FaasConfig.builder().timeout(Duration.ofMillis(1500)).build();

            assertThat(DeployConfig.from(config).timeoutSecs()).isEqualTo(2);
        }

        @Test
        void anUnknownWorkerModeOptionIsRejected() {
            FaasConfig config = FaasConfig.builder().providerOption("worker_mode", "threads").build();

            assertThatThrownBy(() -> DeployConfig.from(config)).isInstanceOfSatisfying(InvalidRequestException.class,
                    e -> assertThat(e.violations()).singleElement().asString().startsWith("worker_mode"));
        }

        @Test
        void theConstructorValidatesLikeTheHeader() {
            assertThatThrownBy(() -> new DeployConfig(100, Duration.ofSeconds(0), 1, Map.of(), Optional.empty(), 5))
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.violations())
                            .hasSize(3).allSatisfy(v -> assertThat(v).containsAnyOf("memory_mb", "timeout_secs",
                                    "keep_warm")));
        }
    }

    @Test
    void deployConfigJsonDecodesDirectlyToo() {
        SpecCodec codec = SpecCodec.create();
        DeployConfig config = DeployConfig.defaults();

        assertThat(codec.decodeDeployConfig(codec.encodeDeployConfig(config))).isEqualTo(config);
        assertThatThrownBy(() -> codec.decodeDeployConfig("{\"memory_mb\":1}".getBytes(UTF_8)))
                .isInstanceOf(InvalidRequestException.class);
    }
}
