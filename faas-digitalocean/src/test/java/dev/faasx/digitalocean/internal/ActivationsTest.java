package dev.faasx.digitalocean.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProviderException;
import dev.faasx.core.spec.SpecCodec;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    private final Activations activations = new Activations(new ObjectMapper(), SpecCodec.create());
    private final ErrorContext ctx = ErrorContext.of("digitalocean-functions", 5);

    private static String record(String response, String annotations) {
        return "{\"activationId\":\"0123456789abcdef0123456789abcdef\",\"duration\":12,\"start\":1,\"end\":13,"
                + "\"response\":" + response + ",\"logs\":[\"a\"],\"annotations\":[" + annotations + "]}";
    }

    private Invocation invoke(String record) {
        byte[] body = record.getBytes(UTF_8);
        Activations.Scan scan = activations.scan(body);
        assertThat(scan).isNotNull();
        return activations.toInvocation(body, scan, JobCall.of(5, new byte[0]), Duration.ofMillis(20),
                Duration.ofSeconds(3), ctx);
    }

    @Test
    @DisplayName("a successful record gives the function's answer and the provider's figures")
    void success() {
        Invocation inv = invoke(record("{\"status\":\"success\",\"result\":{\"job_id\":5,\"result\":[104,105],"
                + "\"success\":true}}", "{\"key\":\"initTime\",\"value\":7},{\"key\":\"limits\",\"value\":"
                + "{\"memory\":256,\"timeout\":3000}}"));
        assertThat(inv.output().body()).isEqualTo("hi".getBytes(UTF_8));
        assertThat(inv.metrics().coldStart()).isEqualTo(Figure.reported(true));
        assertThat(inv.metrics().initDuration()).isEqualTo(Figure.reported(Duration.ofMillis(7)));
        assertThat(inv.metrics().executionDuration()).isEqualTo(Figure.reported(Duration.ofMillis(12)));
        assertThat(inv.metrics().memorySizeMb()).isEqualTo(Figure.reported(256L));
        assertThat(inv.metrics().requestId()).contains("0123456789abcdef0123456789abcdef");
    }

    @Test
    @DisplayName("each failed status becomes its typed error")
    void failures() {
        assertThatThrownBy(() -> invoke(record("{\"statusCode\":1,\"result\":{\"error\":\"bad\"}}", "")))
                .isInstanceOf(FunctionErrorException.class).hasMessageContaining("bad");
        assertThatThrownBy(() -> invoke(record("{\"statusCode\":2,\"result\":{\"error\":\"The action exceeded its"
                + " time limits of 3000 milliseconds.\"}}", "{\"key\":\"timeout\",\"value\":true}")))
                .isInstanceOf(FaasTimeoutException.class);
        assertThatThrownBy(() -> invoke(record("{\"statusCode\":2,\"result\":{\"error\":\"no dict\"}}", "")))
                .isInstanceOfSatisfying(FunctionErrorException.class, e -> assertThat(e.errorType())
                        .contains("action developer error"));
        assertThatThrownBy(() -> invoke(record("{\"status\":\"whisk internal error\",\"result\":{\"error\":\"x\"}}",
                ""))).isInstanceOfSatisfying(ProviderException.class, e -> assertThat(e.isRetryable()).isTrue());
    }

    @Test
    @DisplayName("bytes that are not an activation record are not taken for one")
    void notARecord() {
        assertThat(activations.scan("not json".getBytes(UTF_8))).isNull();
        assertThat(activations.scan("[1,2]".getBytes(UTF_8))).isNull();
        assertThat(activations.scan("{\"error\":\"The requested resource does not exist.\",\"code\":\"x\"}"
                .getBytes(UTF_8))).isNull();
        assertThat(activations.scan("{\"activationId\":\"0123456789abcdef0123456789abcdef\",\"response\":".getBytes(
                UTF_8))).isNull();
    }
}
