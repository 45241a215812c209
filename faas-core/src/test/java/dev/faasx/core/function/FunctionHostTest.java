package dev.faasx.core.function;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FunctionHostTest {
    private final SpecCodec codec = SpecCodec.create();
    private final FunctionHost echo = FunctionHost.of(new TestHandlers.Echo());

    private String serveOnce(FunctionHost host, String input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        host.serveOnce(new ByteArrayInputStream(input.getBytes(UTF_8)), out);
        return out.toString(UTF_8);
    }

    private List<String> serveAsWorker(FunctionHost host, String input) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        host.serveAsWorker(new ByteArrayInputStream(input.getBytes(UTF_8)), out);
        String text = out.toString(UTF_8);
        assertThat(text).endsWith("\n");
        return List.of(text.split("\n"));
    }

    private InvokeResponse decode(String json) {
        return codec.decodeResponse(json.getBytes(UTF_8));
    }

    @Nested
    @DisplayName("spec v1 mode")
    class SingleShot {
        @Test
        void answersAV1RequestInV1Shape() throws IOException {
            String out = serveOnce(FunctionHost.of(call -> JobOutput.of(call.body())),
                    "{\"job_id\":0,\"args\":[1,2,3]}");

            assertThat(out).startsWith("{\"job_id\":0,\"result\":[1,2,3],\"success\":true,\"execution_ms\":")
                    .endsWith("}\n");
            assertThat(out).doesNotContain("call_id", "result_base64");
        }

        @Test
        void passesCallIdAndMetadataToTheHandlerAndEchoesTheCallId() throws IOException {
            InvokeResponse response = decode(serveOnce(echo,
                    "{\"job_id\":-5,\"args\":[],\"call_id\":\"c-1\",\"metadata\":{\"trace\":\"t-9\"}}"));

            assertThat(response.jobId()).isEqualTo(-5);
            assertThat(response.callId()).contains("c-1");
            assertThat(response.metadata()).containsEntry("trace", "t-9").containsEntry("seen-call-id", "c-1")
                    .containsEntry("seen-job-id", "-5");
        }

        @Test
        void aRequestWithoutCallIdGetsNoneBackButTheHandlerStillSeesOne() throws IOException {
            InvokeResponse response = decode(serveOnce(echo, "{\"job_id\":1,\"args\":[]}"));

            assertThat(response.callId()).isEmpty();
            assertThat(response.metadata().get("seen-call-id")).isNotBlank();
        }

        @ParameterizedTest
        @EnumSource(PayloadEncoding.class)
        void answersInTheEncodingOfTheRequest(PayloadEncoding encoding) throws IOException {
            byte[] request = codec.encodeRequest(InvokeRequest.of(3, new byte[] {0, -1, 42}), encoding);

            String out = serveOnce(echo, new String(request, UTF_8));

            assertThat(out).contains(encoding == PayloadEncoding.BASE64 ? "\"result_base64\":" : "\"result\":[0,255,42]");
            assertThat(codec.decodeResponseWithEncoding(out.getBytes(UTF_8), dev.faasx.core.ErrorContext.of("t"))
                    .encoding()).isEqualTo(encoding);
            assertThat(decode(out).result()).containsExactly(0, -1, 42);
        }

        @Test
        void reportsTheHandlersExecutionTime() throws IOException {
            InvokeResponse response = decode(serveOnce(FunctionHost.of(call -> {
                Thread.sleep(30);
                return JobOutput.empty();
            }), "{\"job_id\":1,\"args\":[]}"));

            assertThat(response.executionDuration()).hasValueSatisfying(d -> assertThat(d.toMillis()).isGreaterThanOrEqualTo(29));
            assertThat(response.coldStart()).isEmpty();
            assertThat(response.memoryUsedMb()).isEmpty();
        }

        @Test
        void aThrowingHandlerBecomesAFailureWithMessageAndType() throws IOException {
            InvokeResponse response = decode(serveOnce(FunctionHost.of(new TestHandlers.Failing()),
                    "{\"job_id\":4,\"args\":[104,105],\"call_id\":\"c4\"}"));

            assertThat(response.success()).isFalse();
            assertThat(response.jobId()).isEqualTo(4);
            assertThat(response.callId()).contains("c4");
            assertThat(response.error()).contains("cannot resize: hi");
            assertThat(response.errorType()).contains(IllegalStateException.class.getName());
            assertThat(response.result()).isEmpty();
        }

        @Test
        void errorsAndMessagelessExceptionsAreReportedToo() throws IOException {
            InvokeResponse overflow = decode(serveOnce(FunctionHost.of(call -> {
                throw new StackOverflowError();
            }), "{\"job_id\":1,\"args\":[]}"));
            InvokeResponse nullOutput = decode(serveOnce(FunctionHost.of(call -> null), "{\"job_id\":1,\"args\":[]}"));

            assertThat(overflow.error()).contains(StackOverflowError.class.getName());
            assertThat(nullOutput.success()).isFalse();
            assertThat(nullOutput.error()).hasValueSatisfying(e -> assertThat(e).contains("null"));
        }

        @Test
        void aMalformedRequestIsAnsweredWithAFailureForJobZero() throws IOException {
            InvokeResponse response = decode(serveOnce(echo, "this is not json"));

            assertThat(response.success()).isFalse();
            assertThat(response.jobId()).isZero();
            assertThat(response.error()).hasValueSatisfying(e -> assertThat(e).contains("malformed JSON"));
            assertThat(response.errorType()).contains("dev.faasx.core.ProtocolException");
        }

        @Test
        void aMalformedRequestKeepsItsJobIdWhenItWasReadable() throws IOException {
            InvokeResponse response = decode(serveOnce(echo, "{\"job_id\":12,\"args\":[1,999]}"));

            assertThat(response.jobId()).isEqualTo(12);
            assertThat(response.error()).hasValueSatisfying(e -> assertThat(e).contains("args[1]"));
        }

        @Test
        void emptyInputIsAnsweredToo() throws IOException {
            assertThat(decode(serveOnce(echo, "")).error()).hasValueSatisfying(e -> assertThat(e).contains("empty"));
        }

        @Test
        void theHandlerNeverRunsForABadRequest() throws IOException {
            AtomicReference<JobCall> seen = new AtomicReference<>();
            serveOnce(FunctionHost.of(call -> {
                seen.set(call);
                return JobOutput.empty();
            }), "{\"job_id\":1}");

            assertThat(seen).hasValue(null);
        }
    }

    @Nested
    @DisplayName("persistent-worker mode")
    class Worker {
        @Test
        void writesTheReadyLineFirstThenOneAnswerPerLineInOrder() throws IOException {
            List<String> lines = serveAsWorker(echo, "{\"job_id\":1,\"args\":[1]}\n"
                    + "{\"job_id\":2,\"args_base64\":\"Ag==\",\"call_id\":\"c2\"}\n"
                    + "{\"job_id\":3,\"args\":[3]}\n");

            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo(FunctionHost.READY_LINE);
            assertThat(lines.subList(1, 4)).extracting(l -> decode(l).jobId()).containsExactly(1L, 2L, 3L);
            assertThat(lines.get(2)).contains("\"result_base64\":\"Ag==\"", "\"call_id\":\"c2\"");
            assertThat(lines.get(3)).contains("\"result\":[3]");
        }

        @Test
        void keepsServingAfterAMalformedLineOrAFailingHandler() throws IOException {
            FunctionHost host = FunctionHost.of(call -> {
                if (call.jobId() == 2) {
                    throw new IllegalArgumentException("job 2 always fails");
                }
                return JobOutput.of(call.body());
            });

            List<String> lines = serveAsWorker(host, "{\"job_id\":1,\"args\":[1]}\n"
                    + "{\"job_id\":1,\"args\":[1\n"
                    + "{\"job_id\":2,\"args\":[]}\n"
                    + "{\"job_id\":3,\"args\":[3]}\n");

            List<InvokeResponse> responses = new ArrayList<>();
            lines.subList(1, lines.size()).forEach(l -> responses.add(decode(l)));
            assertThat(responses).extracting(InvokeResponse::success).containsExactly(true, false, false, true);
            assertThat(responses.get(1).error()).hasValueSatisfying(e -> assertThat(e).contains("truncated"));
            assertThat(responses.get(2).error()).contains("job 2 always fails");
            assertThat(responses.get(3).result()).containsExactly(3);
        }

        @Test
        void skipsBlankLinesAndAcceptsCrLfAndAFinalLineWithoutNewline() throws IOException {
            List<String> lines = serveAsWorker(echo, "\n  \r\n{\"job_id\":1,\"args\":[1]}\r\n\n{\"job_id\":2,\"args\":[2]}");

            assertThat(lines).hasSize(3);
            assertThat(decode(lines.get(1)).jobId()).isEqualTo(1);
            assertThat(decode(lines.get(2)).jobId()).isEqualTo(2);
        }

        @Test
        void answersOnlyTheReadyLineWhenInputIsEmpty() throws IOException {
            assertThat(serveAsWorker(echo, "")).containsExactly(FunctionHost.READY_LINE);
        }

        @Test
        void carriesLargePayloadsOnOneLine() throws IOException {
            byte[] big = new byte[3 * 1024 * 1024];
            new java.util.Random(5).nextBytes(big);
            String request = new String(codec.encodeRequest(InvokeRequest.of(1, big)), UTF_8) + "\n"
                    + new String(codec.encodeRequest(InvokeRequest.of(2, big), PayloadEncoding.BASE64), UTF_8) + "\n";

            List<String> lines = serveAsWorker(echo, request);

            assertThat(lines).hasSize(3);
            assertThat(java.util.Arrays.equals(decode(lines.get(1)).result(), big)).isTrue();
            assertThat(java.util.Arrays.equals(decode(lines.get(2)).result(), big)).isTrue();
        }
    }

    @Test
    void answerNeverThrowsWhateverTheInput() {
        for (String input : new String[] {"", "{", "null", "[]", "{\"job_id\":1,\"args\":[]}"}) {
            assertThat(decode(new String(echo.answer(input.getBytes(UTF_8)), UTF_8))).isNotNull();
        }
    }

    @Test
    void runGivesTheHandlerTheWholeCall() {
        AtomicReference<JobCall> seen = new AtomicReference<>();
        FunctionHost host = FunctionHost.of(call -> {
            seen.set(call);
            return JobOutput.of(new byte[] {7}, Map.of("out", "1"));
        });

        InvokeResponse response = host.run(new InvokeRequest(9, new byte[] {1}, Optional.of("c9"), Map.of("in", "2")));

        assertThat(seen.get()).isEqualTo(JobCall.builder(9).body(new byte[] {1}).callId("c9").metadata("in", "2").build());
        assertThat(response.metadata()).containsExactly(Map.entry("out", "1"));
        assertThat(response.callId()).contains("c9");
    }
}
