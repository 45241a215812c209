package dev.faasx.core.spec;

import static dev.faasx.core.spec.InvokeRequestCodecTest.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.ProtocolException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ManagementMessagesTest {
    private final SpecCodec codec = SpecCodec.create();
    private final ErrorContext context = ErrorContext.builder("custom-http").functionId("job0").build();

    private final DeployResponse deployed = DeployResponse.builder("job0")
            .endpoint(URI.create("https://faas.example/api/functions/job0/invoke"))
            .coldStart(Duration.ofMillis(500)).memoryMb(512).timeout(Duration.ofSeconds(300)).build();

    @Nested
    @DisplayName("spec v1 examples decode")
    class V1Examples {
        @Test
        void deployResponse() {
            DeployResponse r = codec.decodeDeployResponse(json("{\"function_id\":\"job0\",\"endpoint\":"
                    + "\"https://faas.example/api/functions/job0/invoke\",\"status\":\"deployed\",\"cold_start_ms\":500,"
                    + "\"memory_mb\":512,\"timeout_secs\":300}"), context);

            assertThat(r).isEqualTo(deployed);
        }

        @Test
        void functionInfo() {
            FunctionInfo info = codec.decodeFunctionInfo(json("{\"function_id\":\"job0\",\"endpoint\":"
                    + "\"https://faas.example/api/functions/job0/invoke\",\"status\":\"deployed\",\"cold_start_ms\":500,"
                    + "\"memory_mb\":512,\"timeout_secs\":300,\"deployed_at\":\"2024-10-13T10:00:00Z\","
                    + "\"binary_size_bytes\":15728640}"), context);

            assertThat(info).isEqualTo(FunctionInfo.of(deployed, Instant.parse("2024-10-13T10:00:00Z"), 15728640));
        }

        @Test
        void healthyAndUnhealthy() {
            HealthResponse ok = codec.decodeHealthResponse(json("{\"function_id\":\"job0\",\"status\":\"healthy\","
                    + "\"last_invocation\":\"2024-10-13T12:34:56Z\",\"total_invocations\":1523}"), context);
            HealthResponse down = codec.decodeHealthResponse(
                    json("{\"status\":\"unhealthy\",\"error\":\"Binary crashed on startup\"}"), context);

            assertThat(ok.isHealthy()).isTrue();
            assertThat(ok.lastInvocation()).contains(Instant.parse("2024-10-13T12:34:56Z"));
            assertThat(ok.totalInvocations()).hasValue(1523);
            assertThat(down.isHealthy()).isFalse();
            assertThat(down.functionId()).isEmpty();
            assertThat(down.error()).contains("Binary crashed on startup");
        }

        @Test
        void healthBeforeAnyInvocationHasANullLastInvocation() {
            HealthResponse ok = codec.decodeHealthResponse(json("{\"function_id\":\"job0\",\"status\":\"healthy\","
                    + "\"last_invocation\":null,\"total_invocations\":0}"), context);

            assertThat(ok.lastInvocation()).isEmpty();
        }

        @Test
        void warmAndDelete() {
            assertThat(codec.decodeWarmResponse(
                    json("{\"function_id\":\"job0\",\"status\":\"warm\",\"instances_warmed\":3}"), context))
                    .isEqualTo(WarmResponse.of("job0", 3));
            assertThat(codec.decodeDeleteResponse(json("{\"function_id\":\"job0\",\"status\":\"deleted\"}"), context))
                    .isEqualTo(DeleteResponse.of("job0"));
        }

        @Test
        void errorBodyWithDetailsOfAnyType() {
            ErrorBody body = codec.decodeErrorBody(json("{\"error\":\"Function execution timed out after 300 seconds\","
                    + "\"code\":\"TIMEOUT\",\"details\":{\"function_id\":\"job0\",\"timeout_secs\":300,"
                    + "\"nested\":{\"a\":[1]}}}"), context);

            assertThat(body.errorCode()).contains(ErrorCode.TIMEOUT);
            assertThat(body.details()).containsEntry("function_id", "job0").containsEntry("timeout_secs", "300")
                    .containsEntry("nested", "{\"a\":[1]}");
        }

        @Test
        void v1ConflictBodyKeepsTheTopLevelFunctionId() {
            ErrorBody body = codec.decodeErrorBody(
                    json("{\"error\":\"Function already exists\",\"function_id\":\"job0\"}"), context);

            assertThat(body.code()).isEmpty();
            assertThat(body.details()).containsEntry("function_id", "job0");
        }

        @Test
        void unknownCodesAreKept() {
            assertThat(codec.decodeErrorBody(json("{\"error\":\"x\",\"code\":\"QUOTA\"}"), context).code())
                    .contains("QUOTA");
        }
    }

    @Nested
    @DisplayName("round trips")
    class RoundTrips {
        @Test
        void everyManagementMessageSurvives() {
            FunctionInfo info = FunctionInfo.of(deployed, Instant.parse("2025-01-02T03:04:05.678Z"), 99);
            HealthResponse health = HealthResponse.healthy("job0", Optional.of(Instant.EPOCH), 5);
            HealthResponse sick = HealthResponse.unhealthy("job0", "crashed");
            ErrorBody error = ErrorBody.of(ErrorCode.OVERLOADED, "busy", Map.of("retry_after_secs", "2"));

            assertThat(codec.decodeDeployResponse(codec.encodeDeployResponse(deployed), context)).isEqualTo(deployed);
            assertThat(codec.decodeFunctionInfo(codec.encodeFunctionInfo(info), context)).isEqualTo(info);
            assertThat(codec.decodeHealthResponse(codec.encodeHealthResponse(health), context)).isEqualTo(health);
            assertThat(codec.decodeHealthResponse(codec.encodeHealthResponse(sick), context)).isEqualTo(sick);
            assertThat(codec.decodeWarmResponse(codec.encodeWarmResponse(WarmResponse.of("j", 0)), context))
                    .isEqualTo(WarmResponse.of("j", 0));
            assertThat(codec.decodeDeleteResponse(codec.encodeDeleteResponse(DeleteResponse.of("j")), context))
                    .isEqualTo(DeleteResponse.of("j"));
            assertThat(codec.decodeErrorBody(codec.encodeErrorBody(error), context)).isEqualTo(error);
        }

        @Test
        void aMinimalDeployResponseLeavesFiguresAbsent() {
            DeployResponse minimal = codec.decodeDeployResponse(
                    json("{\"function_id\":\"job0\",\"status\":\"deployed\"}"), context);

            assertThat(minimal.coldStart()).isEmpty();
            assertThat(minimal.memoryMb()).isEqualTo(OptionalLong.empty());
            assertThat(minimal.endpoint()).isEmpty();
            assertThat(new String(codec.encodeDeployResponse(minimal), UTF_8))
                    .isEqualTo("{\"function_id\":\"job0\",\"status\":\"deployed\"}");
        }

        @Test
        void errorBodyAlwaysHasTheThreeV1Fields() {
            assertThat(new String(codec.encodeErrorBody(ErrorBody.of(ErrorCode.FUNCTION_NOT_FOUND, "nope")), UTF_8))
                    .isEqualTo("{\"error\":\"nope\",\"code\":\"FUNCTION_NOT_FOUND\",\"details\":{}}");
        }
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "deploy|{\"status\":\"deployed\"}|function_id is required",
        "deploy|{\"function_id\":7,\"status\":\"deployed\"}|function_id must be a string, was an integer",
        "deploy|{\"function_id\":\"a\",\"status\":\"deployed\",\"memory_mb\":\"512\"}|memory_mb must be an integer",
        "deploy|{\"function_id\":\"a\",\"status\":\"deployed\",\"cold_start_ms\":-5}|cold_start_ms must be",
        "deploy|{\"function_id\":\"a\",\"status\":\"deployed\",\"endpoint\":\"http://a b\"}|endpoint must be a URI",
        "info|{\"function_id\":\"a\",\"status\":\"deployed\",\"deployed_at\":\"yesterday\"}|deployed_at must be an RFC 3339",
        "health|{\"function_id\":\"a\"}|status is required",
        "health|{\"status\":\"healthy\",\"total_invocations\":-1}|total_invocations must be between",
        "warm|{\"function_id\":\"a\",\"status\":\"warm\"}|instances_warmed is required",
        "delete|[]|expected a JSON object",
        "error|{\"code\":\"X\"}|error is required",
        "error|{\"error\":\"x\",\"details\":[1]}|details must be an object",
        "delete||empty input",
        "delete|{\"function_id\":\"a\",|truncated JSON",
        "delete|<html>|malformed JSON"
    })
    void malformedManagementMessagesFailNamingTheField(String kind, String input, String expected) {
        byte[] body = json(input == null ? "" : input);
        assertThatThrownBy(() -> {
            switch (kind) {
                case "deploy" -> codec.decodeDeployResponse(body, context);
                case "info" -> codec.decodeFunctionInfo(body, context);
                case "health" -> codec.decodeHealthResponse(body, context);
                case "warm" -> codec.decodeWarmResponse(body, context);
                case "delete" -> codec.decodeDeleteResponse(body, context);
                default -> codec.decodeErrorBody(body, context);
            }
        }).isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.reason()).contains(expected);
            assertThat(e.functionId()).contains("job0");
        });
    }
}
