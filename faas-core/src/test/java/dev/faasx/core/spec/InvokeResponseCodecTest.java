package dev.faasx.core.spec;

import static dev.faasx.core.spec.InvokeRequestCodecTest.allByteValues;
import static dev.faasx.core.spec.InvokeRequestCodecTest.json;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.Figure;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobOutput;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.Provenance;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class InvokeResponseCodecTest {
    private final SpecCodec codec = SpecCodec.create();

    private InvokeResponse roundTrip(InvokeResponse response, PayloadEncoding encoding) {
        Decoded<InvokeResponse> decoded = codec.decodeResponseWithEncoding(codec.encodeResponse(response, encoding),
                ErrorContext.of("test"));
        assertThat(decoded.encoding()).isEqualTo(encoding);
        return decoded.value();
    }

    @Nested
    @DisplayName("round trips")
    class RoundTrips {
        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void allByteValuesSurviveUnchanged(PayloadEncoding encoding) {
            assertThat(roundTrip(InvokeResponse.success(1, allByteValues()), encoding).result())
                    .isEqualTo(allByteValues());
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void emptyAndLargeResultsSurvive(PayloadEncoding encoding) {
            byte[] large = new byte[5 * 1024 * 1024];
            new Random(7).nextBytes(large);

            assertThat(roundTrip(InvokeResponse.success(1, new byte[0]), encoding).result()).isEmpty();
            assertThat(Arrays.equals(roundTrip(InvokeResponse.success(1, large), encoding).result(), large)).isTrue();
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void everyExtensionSurvives(PayloadEncoding encoding) {
            InvokeResponse response = InvokeResponse.builder(Long.MIN_VALUE)
                    .result(json("out"))
                    .failure("it broke")
                    .errorType("java.lang.IllegalStateException")
                    .callId("call-9")
                    .metadata(Map.of("rows", "42"))
                    .executionDuration(Duration.ofMillis(12))
                    .memoryUsedMb(64)
                    .coldStart(true)
                    .initDuration(Duration.ofMillis(340))
                    .build();

            assertThat(roundTrip(response, encoding)).isEqualTo(response);
        }

        @Test
        void maxJobIdSurvives() {
            assertThat(roundTrip(InvokeResponse.success(Long.MAX_VALUE, new byte[] {1}), PayloadEncoding.BYTE_ARRAY)
                    .jobId()).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void durationsTravelAsWholeMillisecondsRoundedToTheNearest() {
            InvokeResponse response = InvokeResponse.builder(1).executionDuration(Duration.ofNanos(1_600_000))
                    .initDuration(Duration.ofNanos(400_000)).build();

            String text = new String(codec.encodeResponse(response), UTF_8);

            assertThat(text).contains("\"execution_ms\":2", "\"init_ms\":0");
        }
    }

    @Nested
    @DisplayName("spec v1 compatibility")
    class V1Compatibility {
        @Test
        void v1SuccessDecodesWithItsFigures() {
            InvokeResponse response = codec.decodeResponse(json(
                    "{\"job_id\":0,\"result\":[25,0,0,0,0,0,0,0],\"success\":true,\"execution_ms\":45,"
                            + "\"memory_used_mb\":128}"));

            assertThat(response.success()).isTrue();
            assertThat(response.result()).containsExactly(25, 0, 0, 0, 0, 0, 0, 0);
            assertThat(response.executionDuration()).contains(Duration.ofMillis(45));
            assertThat(response.memoryUsedMb()).hasValue(128);
            assertThat(response.callId()).isEmpty();
            assertThat(response.metadata()).isEmpty();
            assertThat(response.coldStart()).isEmpty();
            assertThat(response.initDuration()).isEmpty();
        }

        @Test
        void v1FailureDecodes() {
            InvokeResponse response = codec.decodeResponse(json(
                    "{\"job_id\":0,\"result\":[],\"success\":false,\"error\":\"Function timeout after 300s\"}"));

            assertThat(response.success()).isFalse();
            assertThat(response.error()).contains("Function timeout after 300s");
            assertThat(response.errorType()).isEmpty();
        }

        @Test
        void absentFiguresStayUnknownAndPresentOnesAreReported() {
            InvokeResponse response = codec.decodeResponse(json("{\"job_id\":1,\"result\":[],\"success\":true,"
                    + "\"execution_ms\":7,\"error\":null,\"memory_used_mb\":null}"));

            InvocationMetrics metrics = response.reportedMetrics();

            assertThat(metrics.executionDuration()).isEqualTo(Figure.reported(Duration.ofMillis(7)));
            assertThat(metrics.memoryUsedMb().provenance()).isEqualTo(Provenance.UNKNOWN);
            assertThat(metrics.coldStart().isKnown()).isFalse();
            assertThat(metrics.initDuration().isKnown()).isFalse();
            assertThat(metrics.billedDuration().isKnown()).isFalse();
            assertThat(metrics.totalDuration().isKnown()).isFalse();
        }

        @Test
        void aResponseWithoutResultHasAnEmptyResult() {
            assertThat(codec.decodeResponse(json("{\"job_id\":1,\"success\":false}")).result()).isEmpty();
        }

        @Test
        void fractionalFiguresAreAccepted() {
            InvokeResponse response = codec.decodeResponse(json(
                    "{\"job_id\":1,\"result\":[],\"success\":true,\"execution_ms\":0.25,\"memory_used_mb\":12.6}"));

            assertThat(response.executionDuration()).contains(Duration.ofNanos(250_000));
            assertThat(response.memoryUsedMb()).hasValue(13);
        }

        @Test
        void successWritesTheV1Shape() {
            assertThat(new String(codec.encodeResponse(InvokeResponse.success(7, new byte[] {1, (byte) 200})), UTF_8))
                    .isEqualTo("{\"job_id\":7,\"result\":[1,200],\"success\":true}");
        }

        @Test
        void failureWritesTheV1ShapeWithAnEmptyResult() {
            assertThat(new String(codec.encodeResponse(InvokeResponse.failure(7, "boom")), UTF_8))
                    .isEqualTo("{\"job_id\":7,\"result\":[],\"success\":false,\"error\":\"boom\"}");
        }

        @Test
        void invokeFailureBodyIsBothAV1FailureAndAnErrorBody() {
            byte[] body = codec.encodeInvokeFailure(7, java.util.Optional.of("c1"),
                    ErrorBody.of(ErrorCode.TIMEOUT, "timed out after 30s").withDetail("timeout_secs", "30"));

            InvokeResponse asResponse = codec.decodeResponse(body);
            ErrorBody asError = codec.decodeErrorBody(body, ErrorContext.of("test"));

            assertThat(asResponse.success()).isFalse();
            assertThat(asResponse.jobId()).isEqualTo(7);
            assertThat(asResponse.error()).contains("timed out after 30s");
            assertThat(asResponse.callId()).contains("c1");
            assertThat(asError.errorCode()).contains(ErrorCode.TIMEOUT);
            assertThat(asError.details()).containsEntry("timeout_secs", "30");
        }
    }

    @Test
    void toJobOutputCarriesResultAndMetadata() {
        InvokeResponse response = InvokeResponse.builder(1).result(json("r")).metadata("k", "v").build();

        assertThat(response.toJobOutput()).isEqualTo(JobOutput.of(json("r"), Map.of("k", "v")));
    }

    @Test
    void resultBytesAreCopiedInAndOut() {
        byte[] bytes = {1, 2};
        InvokeResponse response = InvokeResponse.success(1, bytes);
        bytes[0] = 9;
        response.result()[1] = 9;

        assertThat(response.result()).containsExactly(1, 2);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("{\"job_id\":1,\"result\":[]}", "success is required"),
                Arguments.of("{\"result\":[],\"success\":true}", "job_id is required"),
                Arguments.of("{\"job_id\":1,\"success\":\"true\"}", "success must be true or false, was a string"),
                Arguments.of("{\"job_id\":1,\"success\":null}", "success must be true or false, was null"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"result\":[1,2,300]}", "result[2] must be an integer"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"result\":[1],\"result_base64\":\"AQ==\"}",
                        "both result and result_base64"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"result_base64\":\"%%%\"}", "result_base64 is not valid"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"error\":{}}", "error must be a string"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"execution_ms\":-1}", "execution_ms must be"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"execution_ms\":\"5\"}", "execution_ms must be"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"init_ms\":true}", "init_ms must be"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"memory_used_mb\":-3}", "memory_used_mb must be"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"cold_start\":\"yes\"}", "cold_start must be true or false"),
                Arguments.of("{\"job_id\":1,\"success\":true,\"metadata\":{\"a\":[]}}", "metadata.a must be a string"),
                Arguments.of("{\"job_id\":1,\"success\":tru", "malformed JSON"),
                Arguments.of("{\"job_id\":1,\"success\":true", "truncated JSON"),
                Arguments.of("Internal Server Error", "malformed JSON"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("malformed")
    void malformedResponsesFailWithAProtocolExceptionNamingTheProblem(String input, String expected) {
        assertThatThrownBy(() -> codec.decodeResponse(json(input)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.reason()).startsWith("invalid invoke response: ").contains(expected);
                    assertThat(e.mayHaveRun()).isTrue();
                });
    }
}
