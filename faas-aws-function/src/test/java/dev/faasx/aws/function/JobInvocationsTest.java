package dev.faasx.aws.function;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.function.internal.JobInvocations;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("JobInvocations answers Lambda events for a JobHandler")
class JobInvocationsTest {
    private static final JobHandler UPPER = call -> JobOutput.of(new String(call.body(), StandardCharsets.UTF_8)
            .toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    private static final JobHandler FAILING = call -> {
        throw new IllegalStateException(new String(call.body(), StandardCharsets.UTF_8));
    };

    private final SpecCodec codec = SpecCodec.create();

    @Test
    @DisplayName("answers a spec request with a spec response in the request's encoding")
    void answersInRequestEncoding() {
        JobInvocations invocations = new JobInvocations(UPPER);
        for (PayloadEncoding encoding : PayloadEncoding.values()) {
            JobCall call = JobCall.builder(9).body("abc".getBytes(StandardCharsets.UTF_8)).callId("c-1").build();
            var outcome = invocations.handle(codec.encodeRequest(InvokeRequest.from(call), encoding));
            assertThat(outcome).isInstanceOf(JobInvocations.Answer.class);
            byte[] payload = ((JobInvocations.Answer) outcome).payload();
            InvokeResponse response = codec.decodeResponse(payload);
            assertThat(response.success()).isTrue();
            assertThat(response.result()).isEqualTo("ABC".getBytes(StandardCharsets.UTF_8));
            assertThat(response.callId()).contains("c-1");
            assertThat(new String(payload, StandardCharsets.UTF_8))
                    .contains(encoding == PayloadEncoding.BASE64 ? "result_base64" : "\"result\"");
        }
    }

    @Test
    @DisplayName("reports a failing job with the exception's type and message, and the exception itself")
    void failureKeepsType() {
        JobInvocations invocations = new JobInvocations(FAILING);
        var outcome = invocations.handle(codec.encodeRequest(InvokeRequest.of(1, "bad input".getBytes(
                StandardCharsets.UTF_8))));
        assertThat(outcome).isInstanceOfSatisfying(JobInvocations.Failure.class, f -> {
            assertThat(f.errorType()).isEqualTo(IllegalStateException.class.getName());
            assertThat(f.errorMessage()).isEqualTo("bad input");
            assertThat(f.thrown()).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    @DisplayName("reports an event that is not a faasx request as a protocol failure")
    void notARequest() {
        var outcome = new JobInvocations(UPPER).handle("{\"Records\":[]}".getBytes(
                StandardCharsets.UTF_8));
        assertThat(outcome).isInstanceOfSatisfying(JobInvocations.Failure.class,
                f -> assertThat(f.errorType()).isEqualTo("dev.faasx.core.ProtocolException"));
    }

    @Test
    @DisplayName("answers the warm-up ping without running the job")
    void warmUpPing() {
        AtomicInteger runs = new AtomicInteger();
        JobInvocations invocations = new JobInvocations(call -> {
            runs.incrementAndGet();
            throw new AssertionError("the job must not run");
        });
        var outcome = invocations.handle("{\"faasx_warmup\":true}".getBytes(StandardCharsets.UTF_8));
        assertThat(outcome).isInstanceOf(JobInvocations.Answer.class);
        assertThat(runs).hasValue(0);
    }
}
