package dev.faasx.core.spec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SpecErrorsTest {
    private final ErrorContext context = ErrorContext.builder("custom-http").jobId(7).functionId("job7").build();

    private FaasException raw(int status, String body) {
        return SpecErrors.toException(status, body.getBytes(UTF_8), context);
    }

    private FaasException raw(int status, String body, String retryAfter) {
        return SpecErrors.toException(status, body.getBytes(UTF_8), Optional.of(retryAfter), context);
    }

    @Nested
    @DisplayName("by HTTP status")
    class ByStatus {
        @Test
        void notFound() {
            FaasException e = raw(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}");

            assertThat(e).isInstanceOf(FunctionNotFoundException.class);
            assertThat(e.reason()).isEqualTo("Function not found");
            assertThat(e.status()).hasValue(404);
            assertThat(e.jobId()).hasValue(7);
            assertThat(e.functionId()).contains("job7");
            assertThat(e.isRetryable()).isFalse();
        }

        @Test
        void conflict() {
            assertThat(raw(409, "{\"error\":\"Function already exists\",\"function_id\":\"job7\"}"))
                    .isInstanceOf(ConflictException.class)
                    .satisfies(e -> assertThat(e.isRetryable()).isFalse());
        }

        @ParameterizedTest
        @CsvSource({"400,INVALID_REQUEST", "413,PAYLOAD_TOO_LARGE", "422,", "405,"})
        void clientErrorsAreInvalidRequests(int status, String code) {
            String body = code == null ? "{\"error\":\"bad\"}" : "{\"error\":\"bad\",\"code\":\"" + code + "\"}";

            FaasException e = raw(status, body);

            assertThat(e).isInstanceOfSatisfying(InvalidRequestException.class,
                    i -> assertThat(i.violations()).containsExactly("bad"));
            assertThat(e.errorCode()).isEqualTo(Optional.ofNullable(code));
        }

        @ParameterizedTest
        @CsvSource({"401", "403"})
        void authFailuresAreAccessDenied(int status) {
            assertThat(raw(status, "{\"error\":\"no\",\"code\":\"UNAUTHORIZED\"}"))
                    .isInstanceOf(AccessDeniedException.class);
        }

        @Test
        void tooManyRequestsIsThrottledWithTheRetryAfterDelay() {
            FaasException e = raw(429, "{\"error\":\"slow down\"}", "3");

            assertThat(e).isInstanceOfSatisfying(ThrottledException.class,
                    t -> assertThat(t.retryAfter()).contains(Duration.ofSeconds(3)));
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void overloadedIsThrottled() {
            FaasException e = raw(503, "{\"error\":\"busy\",\"code\":\"OVERLOADED\"}", "1");

            assertThat(e).isInstanceOfSatisfying(ThrottledException.class,
                    t -> assertThat(t.retryAfter()).contains(Duration.ofSeconds(1)));
            assertThat(e.errorCode()).contains("OVERLOADED");
        }

        @Test
        void unhealthyIsARetryableProviderErrorThatDidNotRun() {
            FaasException e = raw(503, "{\"error\":\"crashed on start\",\"code\":\"UNHEALTHY\"}");

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void timeoutCodeIsATimeoutWithTheLimitFromTheDetails() {
            FaasException e = raw(504, "{\"job_id\":7,\"result\":[],\"success\":false,\"error\":\"timed out\","
                    + "\"code\":\"TIMEOUT\",\"details\":{\"timeout_secs\":30}}");

            assertThat(e).isInstanceOfSatisfying(FaasTimeoutException.class,
                    t -> assertThat(t.timeout()).contains(Duration.ofSeconds(30)));
            assertThat(e.mayHaveRun()).isTrue();
        }

        @Test
        void invokeFailureIsAFunctionErrorWithItsType() {
            FaasException e = raw(500, "{\"job_id\":7,\"result\":[],\"success\":false,\"error\":\"input is empty\","
                    + "\"error_type\":\"java.lang.IllegalArgumentException\"}");

            assertThat(e).isInstanceOfSatisfying(FunctionErrorException.class,
                    f -> assertThat(f.errorType()).contains("java.lang.IllegalArgumentException"));
            assertThat(e.reason()).isEqualTo("input is empty");
            assertThat(e.isRetryable()).isFalse();
        }

        @Test
        void functionErrorCodeIsAFunctionError() {
            assertThat(raw(500, "{\"error\":\"x\",\"code\":\"FUNCTION_ERROR\"}"))
                    .isInstanceOf(FunctionErrorException.class);
        }

        @ParameterizedTest
        @CsvSource({"500,true,true", "502,true,true", "504,true,true", "501,false,true", "503,true,false"})
        void otherServerErrorsAreProviderErrors(int status, boolean retryable, boolean mayHaveRun) {
            FaasException e = raw(status, "{\"error\":\"platform failed\",\"code\":\"INTERNAL\"}");

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.isRetryable()).isEqualTo(retryable);
            assertThat(e.mayHaveRun()).isEqualTo(mayHaveRun);
        }
    }

    @Nested
    @DisplayName("bodies that are not spec error bodies")
    class OddBodies {
        @Test
        void plainTextContributesAShortSnippet() {
            FaasException e = raw(502, "<html>Bad Gateway</html>\n" + "x".repeat(1000));

            assertThat(e).isInstanceOf(ProviderException.class);
            assertThat(e.reason()).startsWith("<html>Bad Gateway</html> x").hasSizeLessThan(220);
        }

        @Test
        void anEmptyBodyGivesAMessageNamingTheStatus() {
            assertThat(raw(404, "").reason()).contains("not deployed", "404");
            assertThat(SpecErrors.toException(500, (byte[]) null, context).reason()).contains("500");
        }

        @Test
        void aGatewayMessageFieldIsUsed() {
            assertThat(raw(403, "{\"message\":\"Forbidden\"}").reason()).isEqualTo("Forbidden");
        }

        @Test
        void aMalformedRetryAfterIsIgnored() {
            assertThat(raw(429, "{}", "soon")).isInstanceOfSatisfying(ThrottledException.class,
                    t -> assertThat(t.retryAfter()).isEmpty());
        }
    }

    @Test
    void decodedErrorBodiesMapTheSameWay() {
        ErrorBody body = ErrorBody.of(ErrorCode.OVERLOADED, "busy", Map.of());

        FaasException e = SpecErrors.toException(503, body, Optional.of(Duration.ofSeconds(2)), context);

        assertThat(e).isInstanceOfSatisfying(ThrottledException.class,
                t -> assertThat(t.retryAfter()).contains(Duration.ofSeconds(2)));
        assertThat(SpecErrors.toException(404, ErrorBody.of(ErrorCode.FUNCTION_NOT_FOUND, "gone"), context))
                .isInstanceOf(FunctionNotFoundException.class);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeWithItsOwnStatusMapsToAnException(ErrorCode code) {
        FaasException e = SpecErrors.toException(code.httpStatus(), ErrorBody.of(code, "m"), context);

        assertThat(e.errorCode()).contains(code.name());
        assertThat(e.status()).hasValue(code.httpStatus());
    }

    @Test
    void errorCodesCarryTheirHttpStatus() {
        assertThat(ErrorCode.FUNCTION_NOT_FOUND.httpStatus()).isEqualTo(404);
        assertThat(ErrorCode.FUNCTION_EXISTS.httpStatus()).isEqualTo(409);
        assertThat(ErrorCode.PAYLOAD_TOO_LARGE.httpStatus()).isEqualTo(413);
        assertThat(ErrorCode.UNAUTHORIZED.httpStatus()).isEqualTo(401);
        assertThat(ErrorCode.TIMEOUT.httpStatus()).isEqualTo(504);
        assertThat(ErrorCode.OVERLOADED.httpStatus()).isEqualTo(503);
        assertThat(ErrorCode.fromCode("TIMEOUT")).contains(ErrorCode.TIMEOUT);
        assertThat(ErrorCode.fromCode("timeout")).isEmpty();
    }

    @Test
    void functionErrorFromAFailedResponse() {
        InvokeResponse failed = InvokeResponse.builder(9).failure("bad input").errorType("E").build();

        FunctionErrorException e = SpecErrors.functionError(failed, ErrorContext.of("custom-http"));

        assertThat(e.reason()).isEqualTo("bad input");
        assertThat(e.errorType()).contains("E");
        assertThat(e.jobId()).hasValue(9);
    }

    @Nested
    @DisplayName("Retry-After")
    class RetryAfter {
        @Test
        void secondsAreParsed() {
            assertThat(SpecErrors.parseRetryAfter(" 120 ")).contains(Duration.ofSeconds(120));
            assertThat(SpecErrors.parseRetryAfter("0")).contains(Duration.ZERO);
        }

        @Test
        void anHttpDateBecomesTheTimeLeft() {
            String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                    ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));

            assertThat(SpecErrors.parseRetryAfter(inAMinute)).hasValueSatisfying(d ->
                    assertThat(d).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(61)));
            assertThat(SpecErrors.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).contains(Duration.ZERO);
        }

        @Test
        void anythingElseIsIgnored() {
            assertThat(SpecErrors.parseRetryAfter(null)).isEmpty();
            assertThat(SpecErrors.parseRetryAfter("-5")).isEmpty();
            assertThat(SpecErrors.parseRetryAfter("99999999999999999999999")).isEmpty();
            assertThat(SpecErrors.parseRetryAfter("later")).isEmpty();
        }
    }
}
