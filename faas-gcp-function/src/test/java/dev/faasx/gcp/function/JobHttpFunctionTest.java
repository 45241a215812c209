package dev.faasx.gcp.function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JobHttpFunctionTest {
    private final SpecCodec codec = SpecCodec.create();

    /** An adapter as users write one: a subclass that passes its handler. */
    public static final class Upper extends JobHttpFunction {
        public Upper() {
            super(call -> {
                String text = new String(call.body(), StandardCharsets.UTF_8);
                if (text.equals("boom")) {
                    throw new IllegalStateException("the job refused 'boom'");
                }
                return JobOutput.of(text.toUpperCase().getBytes(StandardCharsets.UTF_8), call.metadata());
            });
        }
    }

    private Exchanges.Response post(JobHttpFunction fn, byte[] json) throws IOException {
        Exchanges.Response response = new Exchanges.Response();
        fn.service(Exchanges.request("POST", json, Map.of()), response);
        return response;
    }

    private byte[] request(String body, PayloadEncoding encoding) {
        JobCall call = JobCall.builder(7).body(body.getBytes(StandardCharsets.UTF_8)).metadata("k", "v").build();
        return codec.encodeRequest(InvokeRequest.from(call), encoding);
    }

    @Test
    @DisplayName("runs the handler and answers the spec's JSON in the request's encoding, with metadata and call id")
    void runsTheHandler() throws IOException {
        Upper fn = new Upper();
        for (PayloadEncoding encoding : PayloadEncoding.values()) {
            Exchanges.Response response = post(fn, request("hello", encoding));
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.getContentType()).hasValue("application/json");
            InvokeResponse answer = codec.decodeResponse(response.body());
            assertThat(answer.success()).isTrue();
            assertThat(answer.result()).isEqualTo("HELLO".getBytes(StandardCharsets.UTF_8));
            assertThat(answer.metadata()).containsEntry("k", "v");
            assertThat(answer.callId()).isPresent();
            assertThat(answer.executionDuration()).isPresent();
            assertThat(response.text()).contains(encoding == PayloadEncoding.BASE64 ? "result_base64" : "\"result\"");
        }
    }

    @Test
    @DisplayName("reports a cold start on the first request only, and no init time")
    void reportsTheColdStartOnce() throws IOException {
        Upper fn = new Upper();
        InvokeResponse first = codec.decodeResponse(post(fn, request("a", PayloadEncoding.BASE64)).body());
        InvokeResponse second = codec.decodeResponse(post(fn, request("b", PayloadEncoding.BASE64)).body());
        assertThat(first.coldStart()).hasValue(true);
        assertThat(first.initDuration()).isEmpty();
        assertThat(second.coldStart()).hasValue(false);
        assertThat(second.initDuration()).isEmpty();
    }

    @Test
    @DisplayName("turns a handler exception into success:false with its message and type, never a stack trace")
    void handlerFailure() throws IOException {
        Exchanges.Response response = post(new Upper(), request("boom", PayloadEncoding.BYTE_ARRAY));
        assertThat(response.status()).isEqualTo(200);
        InvokeResponse answer = codec.decodeResponse(response.body());
        assertThat(answer.success()).isFalse();
        assertThat(answer.error()).hasValue("the job refused 'boom'");
        assertThat(answer.errorType()).hasValue(IllegalStateException.class.getName());
        assertThat(response.text()).doesNotContain("\tat ").doesNotContain("JobHttpFunctionTest");
    }

    @Test
    @DisplayName("answers a request that is not the spec's JSON with 400 naming the problem")
    void invalidRequest() throws IOException {
        Exchanges.Response response = post(new Upper(), "{\"job_id\":\"seven\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(400);
        InvokeResponse answer = codec.decodeResponse(response.body());
        assertThat(answer.success()).isFalse();
        assertThat(answer.error()).hasValueSatisfying(e -> assertThat(e).contains("job_id"));
    }

    @Test
    @DisplayName("answers GET and warm-up calls without running the job, which then is no cold start")
    void warmUpRunsNoJob() throws IOException {
        JobHandler counting = call -> {
            throw new AssertionError("the job must not run");
        };
        JobHttpFunction fn = new JobHttpFunction(counting) {
        };
        Exchanges.Response get = new Exchanges.Response();
        fn.service(Exchanges.request("GET", new byte[0], Map.of()), get);
        Exchanges.Response warm = new Exchanges.Response();
        fn.service(Exchanges.request("POST", request("x", PayloadEncoding.BASE64),
                Map.of(JobHttpFunction.WARM_UP_HEADER, "1")), warm);
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.text()).isEqualTo("{\"faasx\":\"ready\"}");
        assertThat(warm.text()).isEqualTo("{\"faasx\":\"ready\"}");
        Exchanges.Response put = new Exchanges.Response();
        fn.service(Exchanges.request("PUT", new byte[0], Map.of()), put);
        assertThat(put.status()).isEqualTo(405);
    }

    @Test
    @DisplayName("refuses a body over 32 MiB with 413")
    void oversizedBody() throws IOException {
        Exchanges.Response response = post(new Upper(), new byte[JobHttpFunction.MAX_REQUEST_BYTES + 1]);
        assertThat(response.status()).isEqualTo(413);
    }

    @Test
    @DisplayName("without FAASX_HANDLER fails to start, saying what to set")
    void needsTheHandlerVariable() {
        assertThat(System.getenv(JobHttpFunction.HANDLER_ENV)).isNull();
        assertThatThrownBy(JobHttpFunction::new).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(JobHttpFunction.HANDLER_ENV);
    }
}
