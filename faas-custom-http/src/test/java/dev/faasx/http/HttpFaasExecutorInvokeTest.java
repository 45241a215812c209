package dev.faasx.http;

import static dev.faasx.http.Outcomes.failure;
import static dev.faasx.http.Outcomes.value;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.http.FakePlatform.Answer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HttpFaasExecutorInvokeTest {
    private static final SpecCodec CODEC = SpecCodec.create();

    private FakePlatform platform;
    private HttpFaasExecutor executor;

    @BeforeEach
    void start() throws IOException {
        platform = FakePlatform.start();
        executor = HttpFaasExecutor.builder(platform.baseUri()).build();
    }

    @AfterEach
    void stop() {
        executor.close();
        platform.close();
    }

    private static JobCall call(long jobId, String body) {
        return JobCall.builder(jobId).body(body.getBytes(UTF_8)).metadata("trace", "t-1").callId("call-1").build();
    }

    private static Answer echo(FakePlatform.Recorded r) {
        InvokeRequest req = CODEC.decodeRequest(r.body());
        return Answer.json(200, new String(CODEC.encodeResponse(InvokeResponse.builder(req.jobId())
                .result(req.args()).callId(req.callId().orElse(null)).metadata(req.metadata())
                .executionDuration(Duration.ofMillis(3)).memoryUsedMb(21).coldStart(true)
                .initDuration(Duration.ofMillis(40)).build()), UTF_8));
    }

    @Nested
    class WhenTheFunctionSucceeds {
        @Test
        void postsTheV1RequestWithCallIdAndMetadataToTheInvokePath() throws Exception {
            platform.answer(HttpFaasExecutorInvokeTest::echo);

            value(executor.invoke(call(7, "hi")));

            FakePlatform.Recorded r = platform.take();
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/api/functions/job7/invoke");
            assertThat(r.header("Content-Type")).isEqualTo("application/json");
            assertThat(r.bodyText()).contains("\"job_id\":7", "\"args\":[104,105]", "\"call_id\":\"call-1\"",
                    "\"metadata\":{\"trace\":\"t-1\"}").doesNotContain("args_base64");
        }

        @Test
        void returnsTheOutputAndMetadataWithReportedAndMeasuredFigures() throws Exception {
            platform.answer(HttpFaasExecutorInvokeTest::echo);

            Invocation inv = value(executor.invokeWithMetrics(call(7, "hi")));

            assertThat(new String(inv.output().body(), UTF_8)).isEqualTo("hi");
            assertThat(inv.output().metadata()).containsEntry("trace", "t-1");
            assertThat(inv.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(inv.metrics().executionDuration().value()).contains(Duration.ofMillis(3));
            assertThat(inv.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(inv.metrics().memoryUsedMb().value()).contains(21L);
            assertThat(inv.metrics().coldStart().value()).contains(true);
            assertThat(inv.metrics().initDuration().value()).contains(Duration.ofMillis(40));
            assertThat(inv.metrics().billedDuration().provenance()).isEqualTo(Provenance.UNKNOWN);
        }

        @Test
        void acceptsAV1AnswerWithoutAnyExtensionAndLeavesItsFiguresUnknown() throws Exception {
            platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[111,107],\"success\":true}"));

            Invocation inv = value(executor.invokeWithMetrics(call(7, "hi")));

            assertThat(new String(inv.output().body(), UTF_8)).isEqualTo("ok");
            assertThat(inv.output().metadata()).isEmpty();
            assertThat(inv.metrics().executionDuration().provenance()).isEqualTo(Provenance.UNKNOWN);
            assertThat(inv.metrics().memoryUsedMb().provenance()).isEqualTo(Provenance.UNKNOWN);
            assertThat(inv.metrics().coldStart().provenance()).isEqualTo(Provenance.UNKNOWN);
            assertThat(inv.metrics().totalDuration().isKnown()).isTrue();
        }

        @Test
        void carriesAllByteValuesAndEmptyBodies() throws Exception {
            platform.answer(HttpFaasExecutorInvokeTest::echo);
            byte[] all = new byte[256];
            for (int i = 0; i < all.length; i++) {
                all[i] = (byte) i;
            }

            assertThat(value(executor.invoke(JobCall.of(1, all))).body()).isEqualTo(all);
            assertThat(value(executor.invoke(JobCall.of(1, new byte[0]))).body()).isEmpty();
        }
    }

    @Nested
    class WithBase64PayloadsOptedIn {
        @Test
        void sendsArgsBase64InsteadOfArgsAndReadsResultBase64() throws Exception {
            try (HttpFaasExecutor b64 = HttpFaasExecutor.builder(platform.baseUri())
                    .payloadEncoding(PayloadEncoding.BASE64).build()) {
                platform.answer(r -> {
                    InvokeRequest req = CODEC.decodeRequest(r.body());
                    return Answer.json(200, new String(CODEC.encodeResponse(
                            InvokeResponse.success(req.jobId(), req.args()), PayloadEncoding.BASE64), UTF_8));
                });

                byte[] out = value(b64.invoke(call(3, "hello"))).body();

                assertThat(new String(out, UTF_8)).isEqualTo("hello");
                String sent = platform.take().bodyText();
                assertThat(sent).contains("\"args_base64\":\"aGVsbG8=\"").doesNotContain("\"args\":");
            }
        }
    }

    @Nested
    class WhenTheFunctionFails {
        @Test
        void aV1FailureWithStatus500IsAFunctionError() {
            platform.answer(Answer.json(500,
                    "{\"job_id\":7,\"result\":[],\"success\":false,\"error\":\"input is empty\"}"));

            FaasException e = failure(executor.invoke(call(7, "")));

            assertThat(e).isInstanceOf(FunctionErrorException.class);
            assertThat(e.reason()).isEqualTo("input is empty");
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.mayHaveRun()).isTrue();
            assertThat(e.functionId()).contains("job7");
        }

        @Test
        void successFalseIsAFailureEvenWithStatus200() {
            platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[],\"success\":false,\"error\":\"nope\","
                    + "\"error_type\":\"java.lang.IllegalStateException\"}"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOfSatisfying(FunctionErrorException.class, f -> {
                assertThat(f.reason()).isEqualTo("nope");
                assertThat(f.errorType()).contains("java.lang.IllegalStateException");
            });
        }

        @Test
        void aTimeoutAnswerIsAFaasTimeout() {
            platform.answer(Answer.json(504, "{\"error\":\"function timed out after 1 s\",\"code\":\"TIMEOUT\","
                    + "\"job_id\":7,\"result\":[],\"success\":false}"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(FaasTimeoutException.class);
            assertThat(e.mayHaveRun()).isTrue();
            assertThat(e.status()).hasValue(504);
        }
    }

    @Nested
    class WhenThePlatformRefuses {
        @Test
        void notFoundWithOrWithoutCodeIsFunctionNotFound() {
            platform.answer(Answer.json(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(FunctionNotFoundException.class);

            platform.answer(Answer.json(404, "{\"error\":\"gone\",\"code\":\"FUNCTION_NOT_FOUND\"}"));
            FaasException e = failure(executor.invoke(call(7, "x")));
            assertThat(e).isInstanceOf(FunctionNotFoundException.class);
            assertThat(e.errorCode()).contains("FUNCTION_NOT_FOUND");
        }

        @Test
        void overloadIsAThrottleThatHonoursRetryAfterAndDidNotRun() {
            platform.answer(Answer.json(503, "{\"error\":\"busy\",\"code\":\"OVERLOADED\"}")
                    .withHeader("Retry-After", "2"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOfSatisfying(ThrottledException.class,
                    t -> assertThat(t.retryAfter()).contains(Duration.ofSeconds(2)));
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void status429IsAThrottle() {
            platform.answer(Answer.json(429, "{\"error\":\"slow down\"}"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(ThrottledException.class);
        }

        @Test
        void badRequestsAndTooLargePayloadsAreInvalidRequests() {
            platform.answer(Answer.json(400, "{\"error\":\"args must be an array\",\"code\":\"INVALID_REQUEST\"}"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(InvalidRequestException.class);

            platform.answer(Answer.json(413, "{\"error\":\"too big\",\"code\":\"PAYLOAD_TOO_LARGE\"}"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(InvalidRequestException.class);
        }

        @Test
        void unauthorizedIsAccessDenied() {
            platform.answer(Answer.json(401, "{\"error\":\"bad token\",\"code\":\"UNAUTHORIZED\"}"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(AccessDeniedException.class);
        }

        @Test
        void anInternalErrorIsARetryableProviderError() {
            platform.answer(Answer.json(500, "{\"error\":\"disk full\",\"code\":\"INTERNAL\"}"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.reason()).contains("disk full");
        }

        @Test
        void aRedirectIsNotFollowed() {
            platform.answer(Answer.json(307, "").withHeader("Location", "http://elsewhere.example/"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.reason()).contains("redirect", "elsewhere.example");
        }
    }

    @Nested
    class WhenTheAnswerIsBroken {
        @Test
        void aBodyThatIsNotJsonIsAProtocolError() {
            platform.answer(Answer.text(200, "text/html", "<html>gateway</html>"));

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(ProtocolException.class);
            assertThat(e.mayHaveRun()).isTrue();
        }

        @Test
        void truncatedJsonIsAProtocolError() {
            platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[1,2"));
            assertThat(failure(executor.invoke(call(7, "x")))).isInstanceOf(ProtocolException.class);
        }

        @Test
        void aBodyCutOffInTransferIsAProtocolError() {
            platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[1,2]").cutOff());

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(ProtocolException.class);
            assertThat(e.reason()).contains("cut off");
        }

        @Test
        void anAnswerForAnotherJobIsAProtocolError() {
            platform.answer(Answer.json(200, "{\"job_id\":8,\"result\":[],\"success\":true}"));
            assertThat(failure(executor.invoke(call(7, "x"))).reason()).contains("job 8");
        }

        @Test
        void anAnswerOverTheSizeLimitIsAProtocolError() throws Exception {
            try (HttpFaasExecutor small = HttpFaasExecutor.builder(platform.baseUri()).maxResponseBytes(1024)
                    .build()) {
                platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[],\"success\":true,\"pad\":\""
                        + "x".repeat(4096) + "\"}"));

                FaasException e = failure(small.invoke(call(7, "x")));

                assertThat(e).isInstanceOf(ProtocolException.class);
                assertThat(e.reason()).contains("limit");
            }
        }
    }

    @Nested
    class WhenTheConnectionFails {
        @Test
        void aRefusedConnectionIsRetryableAndDidNotRun() throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            try (HttpFaasExecutor nowhere = HttpFaasExecutor.create(URI.create("http://127.0.0.1:" + port))) {
                FaasException e = failure(nowhere.invoke(call(7, "x")));

                assertThat(e).isInstanceOf(ProviderException.class);
                assertThat(e.isRetryable()).isTrue();
                assertThat(e.mayHaveRun()).isFalse();
            }
        }

        @Test
        void aConnectionDroppedAfterSendingMayHaveRun() {
            platform.answer(Answer.drop());

            FaasException e = failure(executor.invoke(call(7, "x")));

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isTrue();
        }

        @Test
        void noAnswerWithinTheInvokeTimeoutIsAFaasTimeout() throws Exception {
            try (HttpFaasExecutor impatient = HttpFaasExecutor.builder(platform.baseUri())
                    .invokeTimeout(Duration.ofMillis(300)).build()) {
                platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[],\"success\":true}")
                        .stalled(Duration.ofSeconds(5)));

                FaasException e = failure(impatient.invoke(call(7, "x")));

                assertThat(e).isInstanceOfSatisfying(FaasTimeoutException.class,
                        t -> assertThat(t.timeout()).contains(Duration.ofMillis(300)));
                assertThat(e.mayHaveRun()).isTrue();
            }
        }

        @Test
        void aBodyThatStallsAfterTheHeadersIsAFaasTimeout() throws Exception {
            try (HttpFaasExecutor impatient = HttpFaasExecutor.builder(platform.baseUri())
                    .invokeTimeout(Duration.ofMillis(300)).build()) {
                platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[],\"success\":true}")
                        .stalledBody(Duration.ofSeconds(10)));

                FaasException e = failure(impatient.invoke(call(7, "x")));

                assertThat(e).isInstanceOf(FaasTimeoutException.class);
                assertThat(e.reason()).contains("status 200 arrived");
            }
        }
    }

    @Nested
    class SendingInvocations {
        @Test
        void invokesTheSameWayThroughSendAsyncWhenItHasNoThreads() throws Exception {
            try (HttpFaasExecutor asyncOnly = HttpFaasExecutor.builder(platform.baseUri()).invocationThreads(0)
                    .build()) {
                platform.answer(HttpFaasExecutorInvokeTest::echo);

                assertThat(value(asyncOnly.invoke(call(7, "via sendAsync"))).body())
                        .isEqualTo("via sendAsync".getBytes(UTF_8));
            }
        }

        @Test
        void aStalledInvocationOnTheOnlyThreadDoesNotHoldUpTheNext() throws Exception {
            try (HttpFaasExecutor oneThread = HttpFaasExecutor.builder(platform.baseUri()).invocationThreads(1)
                    .invokeTimeout(Duration.ofMillis(300)).build()) {
                platform.answer(Answer.json(200, "{\"job_id\":7,\"result\":[],\"success\":true}")
                        .stalledBody(Duration.ofSeconds(10)));
                assertThat(failure(oneThread.invoke(call(7, "x")))).isInstanceOf(FaasTimeoutException.class);

                platform.answer(HttpFaasExecutorInvokeTest::echo);
                assertThat(value(oneThread.invoke(call(7, "next"))).body()).isEqualTo("next".getBytes(UTF_8));
                assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(
                        thread -> assertThat(thread.getName()).startsWith("faasx-custom-http-send-"));
            }
        }

        @Test
        void refusesANegativeNumberOfThreads() {
            assertThatThrownBy(() -> HttpFaasExecutor.builder(platform.baseUri()).invocationThreads(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invocationThreads");
        }
    }

    @Nested
    class Routing {
        @Test
        void aConfiguredMappingNamesTheFunction() throws Exception {
            try (HttpFaasExecutor mapped = HttpFaasExecutor.builder(platform.baseUri())
                    .functionIds(id -> "orders-" + id).functionId(9, "special").build()) {
                platform.answer(HttpFaasExecutorInvokeTest::echo);

                value(mapped.invoke(call(7, "x")));
                value(mapped.invoke(call(9, "x")));

                assertThat(platform.take().path()).isEqualTo("/api/functions/orders-7/invoke");
                assertThat(platform.take().path()).isEqualTo("/api/functions/special/invoke");
            }
        }

        @Test
        void aMappingThatGivesAnInvalidIdFailsWithoutSendingAnything() {
            try (HttpFaasExecutor bad = HttpFaasExecutor.builder(platform.baseUri())
                    .functionIds(id -> "../admin").build()) {
                FaasException e = failure(bad.invoke(call(7, "x")));

                assertThat(e).isInstanceOf(InvalidRequestException.class);
                assertThat(e.reason()).contains("../admin");
                assertThat(platform.requestCount()).isZero();
            }
        }

        @Test
        void aJobWithItsOwnEndpointIsInvokedThereAndOthersAtTheBase() throws Exception {
            try (FakePlatform edge = FakePlatform.start();
                 HttpFaasExecutor routed = HttpFaasExecutor.builder(platform.baseUri())
                         .jobEndpoint(9, edge.baseUri().resolve("/edge/resize?v=2")).build()) {
                edge.answer(HttpFaasExecutorInvokeTest::echo);
                platform.answer(HttpFaasExecutorInvokeTest::echo);

                value(routed.invoke(call(9, "x")));
                value(routed.invoke(call(7, "x")));

                FakePlatform.Recorded atEdge = edge.take();
                assertThat(atEdge.path()).isEqualTo("/edge/resize");
                assertThat(atEdge.query()).isEqualTo("v=2");
                assertThat(platform.take().path()).isEqualTo("/api/functions/job7/invoke");
                assertThat(routed.invokeUri(9)).isEqualTo(edge.baseUri().resolve("/edge/resize?v=2"));
            }
        }

        @Test
        void aBasePathPrefixIsKept() throws Exception {
            try (HttpFaasExecutor prefixed = HttpFaasExecutor.create(platform.baseUri().resolve("/faas/"))) {
                platform.answer(HttpFaasExecutorInvokeTest::echo);

                value(prefixed.invoke(call(7, "x")));

                assertThat(platform.take().path()).isEqualTo("/faas/api/functions/job7/invoke");
            }
        }
    }

    @Test
    void metadataIsSentOnlyWhenTheCallHasSome() throws Exception {
        platform.answer(HttpFaasExecutorInvokeTest::echo);

        value(executor.invoke(JobCall.of(4, new byte[] {1})));

        assertThat(platform.take().bodyText()).doesNotContain("metadata");
    }
}
