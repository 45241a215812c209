package dev.faasx.cloudflare.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CloudflareErrorsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ErrorContext ctx = ErrorContext.builder("cloudflare-workers").jobId(7).build();

    private FaasException map(int status, String body, String retryAfter) {
        return CloudflareErrors.toException(status, body.getBytes(UTF_8), Optional.ofNullable(retryAfter), ctx, json);
    }

    private static String envelope(String errors) {
        return "{\"success\":false,\"errors\":" + errors + ",\"messages\":[],\"result\":null}";
    }

    @Test
    void carriesEveryErrorMessageAndTheFirstCode() {
        FaasException e = map(400, envelope("[{\"code\":10021,\"message\":\"Uncaught SyntaxError\"},"
                + "{\"code\":10068,\"message\":\"no event handlers\"}]"), null);

        assertThat(e).isInstanceOf(InvalidRequestException.class);
        assertThat(e.errorCode()).contains("10021");
        assertThat(e.status()).hasValue(400);
        assertThat(e.jobId()).hasValue(7);
        assertThat(e.reason()).isEqualTo("Uncaught SyntaxError (Cloudflare code 10021); no event handlers "
                + "(Cloudflare code 10068)");
    }

    @Test
    void turns429IntoThrottledWithTheRetryAfterDelay() {
        FaasException e = map(429, envelope("[{\"code\":971,\"message\":\"Please wait\"}]"), "37");

        assertThat(e).isInstanceOf(ThrottledException.class);
        assertThat(((ThrottledException) e).retryAfter()).contains(Duration.ofSeconds(37));
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.mayHaveRun()).isFalse();
    }

    @Test
    void treatsAuthenticationCodesAsAccessDeniedWhateverTheStatus() {
        assertThat(map(400, envelope("[{\"code\":9106,\"message\":\"Missing X-Auth-Key\"}]"), null))
                .isInstanceOf(AccessDeniedException.class);
        assertThat(map(403, envelope("[{\"code\":10000,\"message\":\"Authentication error\"}]"), null))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("Workers Scripts Write");
    }

    @Test
    void mapsNotFoundConflictsAndServerErrors() {
        assertThat(map(404, envelope("[{\"code\":10007,\"message\":\"script_not_found\"}]"), null))
                .isInstanceOf(FunctionNotFoundException.class);
        FaasException busy = map(409, envelope("[{\"code\":10035,\"message\":\"Multiple attempts\"}]"), null);
        assertThat(busy).isInstanceOf(ConflictException.class);
        assertThat(busy.isRetryable()).isTrue();
        FaasException down = map(502, "<html>Bad gateway</html>", null);
        assertThat(down).isInstanceOf(ProviderException.class);
        assertThat(down.isRetryable()).isTrue();
        assertThat(down.reason()).contains("Bad gateway");
    }

    @Test
    void recognisesAMissingScriptByStatusOrCode() {
        assertThat(CloudflareErrors.isNotFound(404, new byte[0], json)).isTrue();
        assertThat(CloudflareErrors.isNotFound(400, envelope("[{\"code\":10007,\"message\":\"x\"}]").getBytes(UTF_8),
                json)).isTrue();
        assertThat(CloudflareErrors.isNotFound(400, envelope("[{\"code\":10021,\"message\":\"x\"}]").getBytes(UTF_8),
                json)).isFalse();
    }
}
