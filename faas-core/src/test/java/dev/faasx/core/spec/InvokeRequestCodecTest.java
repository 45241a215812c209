package dev.faasx.core.spec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class InvokeRequestCodecTest {
    private final SpecCodec codec = SpecCodec.create();

    static byte[] allByteValues() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        return all;
    }

    static byte[] json(String text) {
        return text.getBytes(UTF_8);
    }

    private InvokeRequest roundTrip(InvokeRequest request, PayloadEncoding encoding) {
        Decoded<InvokeRequest> decoded = codec.decodeRequestWithEncoding(codec.encodeRequest(request, encoding),
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
            InvokeRequest request = InvokeRequest.of(7, allByteValues());

            assertThat(roundTrip(request, encoding).args()).isEqualTo(allByteValues());
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void emptyPayloadSurvives(PayloadEncoding encoding) {
            assertThat(roundTrip(InvokeRequest.of(1, new byte[0]), encoding).args()).isEmpty();
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void fiveMebibytePayloadSurvivesUnchanged(PayloadEncoding encoding) {
            byte[] payload = new byte[5 * 1024 * 1024];
            new Random(42).nextBytes(payload);

            InvokeRequest back = roundTrip(InvokeRequest.of(3, payload), encoding);

            assertThat(Arrays.equals(back.args(), payload)).isTrue();
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void extremeJobIdsSurvive(PayloadEncoding encoding) {
            for (long id : new long[] {Long.MAX_VALUE, Long.MIN_VALUE, -1, 0}) {
                assertThat(roundTrip(InvokeRequest.of(id, new byte[] {1}), encoding).jobId()).isEqualTo(id);
            }
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void callIdAndMetadataSurvive(PayloadEncoding encoding) {
            InvokeRequest request = new InvokeRequest(9, json("hi"), Optional.of("call-1"),
                    Map.of("trace-id", "abc", "note", "line\nbreak \"quoted\" ünïcødé"));

            assertThat(roundTrip(request, encoding)).isEqualTo(request);
        }

        @Test
        void aJobCallBecomesARequestAndBack() {
            JobCall call = JobCall.builder(5).body(json("x")).metadata("k", "v").callId("c-5").build();

            InvokeRequest request = InvokeRequest.from(call);

            assertThat(request.toJobCall()).isEqualTo(call);
        }

        @Test
        void aRequestWithoutCallIdGetsAGeneratedOneAsJobCall() {
            assertThat(InvokeRequest.of(5, new byte[0]).toJobCall().callId()).isNotEmpty();
        }

        @Test
        void encodedMessagesAreOneLine() {
            InvokeRequest request = new InvokeRequest(1, allByteValues(), Optional.of("a\nb"), Map.of("x\ny", "\r\n"));

            for (PayloadEncoding encoding : PayloadEncoding.values()) {
                assertThat(new String(codec.encodeRequest(request, encoding), UTF_8)).doesNotContain("\n", "\r");
            }
        }
    }

    @Nested
    @DisplayName("spec v1 compatibility")
    class V1Compatibility {
        @Test
        void v1RequestDecodesWithoutCallIdOrMetadata() {
            InvokeRequest request = codec.decodeRequest(json("{\"job_id\":0,\"args\":[1,2,3,4,5,6,7,8]}"));

            assertThat(request.jobId()).isZero();
            assertThat(request.args()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
            assertThat(request.callId()).isEmpty();
            assertThat(request.metadata()).isEmpty();
        }

        @Test
        void defaultEncodingWritesExactlyTheV1Shape() {
            assertThat(new String(codec.encodeRequest(InvokeRequest.of(7, new byte[] {0, 127, -128, -1})), UTF_8))
                    .isEqualTo("{\"job_id\":7,\"args\":[0,127,128,255]}");
        }

        @Test
        void base64WritesArgsBase64InsteadOfArgs() {
            String text = new String(codec.encodeRequest(InvokeRequest.of(7, json("hi")), PayloadEncoding.BASE64),
                    UTF_8);

            assertThat(text).isEqualTo("{\"job_id\":7,\"args_base64\":\"aGk=\"}");
        }

        @Test
        void unknownFieldsAreIgnored() {
            InvokeRequest request = codec.decodeRequest(json(
                    "{\"future\":{\"nested\":[1,{\"a\":null}]},\"job_id\":4,\"x\":\"y\",\"args\":[9],\"n\":1.5}"));

            assertThat(request).isEqualTo(InvokeRequest.of(4, new byte[] {9}));
        }

        @Test
        void nullOptionalFieldsCountAsAbsent() {
            InvokeRequest request = codec.decodeRequest(json(
                    "{\"job_id\":4,\"args\":[9],\"args_base64\":null,\"call_id\":null,\"metadata\":null}"));

            assertThat(request).isEqualTo(InvokeRequest.of(4, new byte[] {9}));
        }

        @Test
        void unpaddedBase64IsAccepted() {
            assertThat(codec.decodeRequest(json("{\"job_id\":1,\"args_base64\":\"aGk\"}")).args())
                    .isEqualTo(json("hi"));
        }

        @Test
        void whitespaceAndATrailingNewlineAreFine() {
            assertThat(codec.decodeRequest(json(" {\n \"job_id\" : 1 ,\r\n \"args\" : [ 1 , 2 ] }\n")).args())
                    .containsExactly(1, 2);
        }
    }

    @Nested
    @DisplayName("malformed input")
    class Malformed {
        static Stream<Arguments> cases() {
            return Stream.of(
                    Arguments.of("", "empty input"),
                    Arguments.of("   ", "empty input"),
                    Arguments.of("not json", "malformed JSON"),
                    Arguments.of("[1,2]", "expected a JSON object"),
                    Arguments.of("\"text\"", "expected a JSON object"),
                    Arguments.of("{\"job_id\":1,\"args\":[1,2", "truncated JSON"),
                    Arguments.of("{\"job_id\":1,\"args\":[1,2]", "truncated JSON"),
                    Arguments.of("{\"job_id\":1,\"args\":[1,2]}{}", "unexpected content after the JSON object"),
                    Arguments.of("{\"job_id\":1,\"args\":[1,2]} x", "after the JSON object"),
                    Arguments.of("{\"job_id\":\"1\",\"args\":[]}", "job_id must be an integer, was a string"),
                    Arguments.of("{\"job_id\":1.5,\"args\":[]}", "job_id must be an integer"),
                    Arguments.of("{\"job_id\":null,\"args\":[]}", "job_id is required"),
                    Arguments.of("{\"job_id\":9223372036854775808,\"args\":[]}", "job_id must fit"),
                    Arguments.of("{\"args\":[1]}", "job_id is required"),
                    Arguments.of("{\"job_id\":1}", "args (or args_base64) is required"),
                    Arguments.of("{\"job_id\":1,\"args\":null}", "args (or args_base64) is required"),
                    Arguments.of("{\"job_id\":1,\"args\":\"AQI=\"}", "args must be an array of integers 0-255"),
                    Arguments.of("{\"job_id\":1,\"args\":[1,256]}", "args[1] must be an integer 0-255, was 256"),
                    Arguments.of("{\"job_id\":1,\"args\":[-1]}", "args[0] must be an integer 0-255, was -1"),
                    Arguments.of("{\"job_id\":1,\"args\":[1.5]}", "args[0] must be an integer 0-255, was a decimal"),
                    Arguments.of("{\"job_id\":1,\"args\":[1e2]}", "args[0] must be an integer 0-255"),
                    Arguments.of("{\"job_id\":1,\"args\":[\"1\"]}", "args[0] must be an integer 0-255, was a string"),
                    Arguments.of("{\"job_id\":1,\"args\":[null]}", "args[0] must be an integer 0-255, was null"),
                    Arguments.of("{\"job_id\":1,\"args\":[[1]]}", "args[0] must be an integer 0-255, was an array"),
                    Arguments.of("{\"job_id\":1,\"args\":[99999999999999999999]}", "args[0] must be an integer 0-255"),
                    Arguments.of("{\"job_id\":1,\"args\":[1],\"args_base64\":\"AQ==\"}", "both args and args_base64"),
                    Arguments.of("{\"job_id\":1,\"args_base64\":\"AQ==\",\"args\":[1]}", "both args and args_base64"),
                    Arguments.of("{\"job_id\":1,\"args_base64\":\"not base64!\"}", "args_base64 is not valid base64"),
                    Arguments.of("{\"job_id\":1,\"args_base64\":\"A\"}", "args_base64 is not valid base64"),
                    Arguments.of("{\"job_id\":1,\"args_base64\":[1]}", "args_base64 must be a base64 string"),
                    Arguments.of("{\"job_id\":1,\"args\":[],\"call_id\":5}", "call_id must be a string"),
                    Arguments.of("{\"job_id\":1,\"args\":[],\"call_id\":\"\"}", "call_id must not be empty"),
                    Arguments.of("{\"job_id\":1,\"args\":[],\"metadata\":[]}", "metadata must be an object of strings"),
                    Arguments.of("{\"job_id\":1,\"args\":[],\"metadata\":{\"k\":1}}", "metadata.k must be a string"),
                    Arguments.of("{\"job_id\":1,\"job_id\":2,\"args\":[]}", "job_id appears more than once"),
                    Arguments.of("{\"job_id\":1,\"args\":[],\"args\":[]}", "args appears more than once"));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @MethodSource("cases")
        void failsWithAProtocolExceptionNamingTheProblem(String input, String expected) {
            assertThatThrownBy(() -> codec.decodeRequest(json(input)))
                    .isInstanceOf(ProtocolException.class)
                    .satisfies(e -> assertThat(((ProtocolException) e).reason())
                            .startsWith("invalid invoke request: ").contains(expected));
        }

        @Test
        void theErrorCarriesTheGivenContextAndTheJobIdOnceRead() {
            ErrorContext context = ErrorContext.builder("reference-server").functionId("job7").build();

            assertThatThrownBy(() -> codec.decodeRequest(json("{\"job_id\":77,\"args\":[300]}"), context))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.provider()).isEqualTo("reference-server");
                        assertThat(e.functionId()).contains("job7");
                        assertThat(e.jobId()).hasValue(77);
                        assertThat(e.mayHaveRun()).isFalse();
                        assertThat(e.isRetryable()).isFalse();
                    });
        }

        @Test
        void truncationAnywhereInALargeMessageIsReportedNotThrownRaw() {
            byte[] full = codec.encodeRequest(new InvokeRequest(1, allByteValues(), Optional.of("c"),
                    Map.of("k", "v")));
            for (int cut = 0; cut < full.length - 1; cut++) {
                byte[] truncated = Arrays.copyOf(full, cut);
                assertThatThrownBy(() -> codec.decodeRequest(truncated)).isInstanceOf(ProtocolException.class);
            }
        }

        @Test
        void invalidUtf8IsAProtocolException() {
            byte[] bad = {'{', '"', 'j', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};

            assertThatThrownBy(() -> codec.decodeRequest(bad)).isInstanceOf(ProtocolException.class);
        }
    }
}
