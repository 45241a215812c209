package dev.faasx.gcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.protobuf.Any;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.gcp.local.LocalCloudFunctions;
import dev.faasx.gcp.support.ScriptedGcp;
import dev.faasx.testkit.FutureAssertions;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * How the executor maps what Google answers: gRPC statuses of the API (from a scripted in-process FunctionService,
 * through the real Google client) and HTTP statuses of a function's URL (from a scripted loopback server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudFunctionsErrorMappingTest {
    private final ScriptedGcp gcp = new ScriptedGcp();
    private final LocalCloudFunctions tokens = LocalCloudFunctions.start();
    private final FunctionServiceClient client = dev.faasx.gcp.support.LocalGcp.client(gcp.channel());
    private final CloudFunctionsExecutor executor = CloudFunctionsExecutor.builder().projectId("faasx-local")
            .region("europe-west1").client(client).idTokenProvider(tokens.credentials()).build();

    @BeforeEach
    void reset() {
        gcp.failGetFunction(null);
        gcp.answer(200, Map.of(), "");
    }

    @AfterAll
    void close() {
        executor.close();
        client.close();
        gcp.close();
        tokens.close();
    }

    private <T extends FaasException> T apiFailure(Status status, Class<T> type) {
        gcp.failGetFunction(status.asRuntimeException());
        return FutureAssertions.failureOf(executor.getDeployment(7), type);
    }

    @Nested
    @DisplayName("a gRPC status of the API")
    class ApiStatuses {
        @Test
        void notFoundIsFunctionNotFound() {
            FunctionNotFoundException e = apiFailure(Status.NOT_FOUND.withDescription("Resource 'x' was not found"),
                    FunctionNotFoundException.class);
            assertThat(e.reason()).contains("was not found");
            assertThat(e.errorCode()).hasValue("NOT_FOUND");
            assertThat(e.jobId()).hasValue(7);
        }

        @Test
        void permissionDeniedIsAccessDenied() {
            AccessDeniedException e = apiFailure(Status.PERMISSION_DENIED.withDescription("Permission"
                    + " 'cloudfunctions.functions.get' denied"), AccessDeniedException.class);
            assertThat(e.reason()).contains("cloudfunctions.functions.get").contains("roles/cloudfunctions.developer");
            assertThat(e.isRetryable()).isFalse();
        }

        @Test
        void unauthenticatedIsAccessDenied() {
            apiFailure(Status.UNAUTHENTICATED.withDescription("no credentials"), AccessDeniedException.class);
        }

        @Test
        void resourceExhaustedIsThrottledWithTheRetryDelay() {
            com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(Code.RESOURCE_EXHAUSTED_VALUE)
                    .setMessage("Quota exceeded for quota metric 'Write requests'")
                    .addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(
                            com.google.protobuf.Duration.newBuilder().setSeconds(17)).build())).build();
            gcp.failGetFunction(StatusProto.toStatusRuntimeException(status));
            ThrottledException e = FutureAssertions.failureOf(executor.getDeployment(7), ThrottledException.class);
            assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(17));
            assertThat(e.reason()).contains("Quota exceeded");
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void failedPreconditionIsARetryableConflict() {
            ConflictException e = apiFailure(Status.FAILED_PRECONDITION.withDescription("An operation on function x is"
                    + " already in progress"), ConflictException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.reason()).contains("already in progress");
        }

        @Test
        void deadlineExceededIsATimeout() {
            apiFailure(Status.DEADLINE_EXCEEDED.withDescription("deadline"), FaasTimeoutException.class);
        }

        @Test
        void invalidArgumentIsAnInvalidRequest() {
            InvalidRequestException e = apiFailure(Status.INVALID_ARGUMENT.withDescription("bad name"),
                    InvalidRequestException.class);
            assertThat(e.violations()).contains("bad name");
        }

        @Test
        void unavailableIsARetryableProviderErrorThatDidNotRun() {
            ProviderException e = apiFailure(Status.UNAVAILABLE.withDescription("try again"), ProviderException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void notFoundOnInvokeIsFunctionNotFound() {
            gcp.failGetFunction(Status.NOT_FOUND.withDescription("gone").asRuntimeException());
            FutureAssertions.failureOf(executor.invokeWithMetrics(JobCall.of(8, new byte[] {1})),
                    FunctionNotFoundException.class);
        }
    }

    @Nested
    @DisplayName("an HTTP status of the function's URL")
    class HttpStatuses {
        private <T extends FaasException> T invokeFailure(int status, Map<String, String> headers, String body,
                                                          Class<T> type) {
            gcp.answer(status, headers, body);
            CompletableFuture<?> call = executor.invokeWithMetrics(JobCall.of(11, "x".getBytes(StandardCharsets.UTF_8)));
            T e = FutureAssertions.failureOf(call, type);
            assertThat(e.status()).hasValue(status);
            return e;
        }

        @Test
        void forbiddenIsAccessDeniedNamingTheInvokerRole() {
            AccessDeniedException e = invokeFailure(403, Map.of(), "Forbidden", AccessDeniedException.class);
            assertThat(e.reason()).contains("roles/cloudfunctions.invoker");
        }

        @Test
        void tooManyRequestsIsThrottledWithRetryAfter() {
            ThrottledException e = invokeFailure(429, Map.of("Retry-After", "3"), "Rate exceeded.",
                    ThrottledException.class);
            assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(3));
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        void internalErrorMayHaveRun() {
            ProviderException e = invokeFailure(500, Map.of(), "Internal Server Error", ProviderException.class);
            assertThat(e.mayHaveRun()).isTrue();
            assertThat(e.reason()).contains("may have run");
        }

        @Test
        void badGatewayMayHaveRun() {
            assertThat(invokeFailure(502, Map.of(), "", ProviderException.class).mayHaveRun()).isTrue();
        }

        @Test
        void unavailableDidNotRunAndIsRetryable() {
            ProviderException e = invokeFailure(503, Map.of(), "Service Unavailable", ProviderException.class);
            assertThat(e.mayHaveRun()).isFalse();
            assertThat(e.isRetryable()).isTrue();
        }

        @Test
        void gatewayTimeoutIsATimeoutThatMayHaveRun() {
            FaasTimeoutException e = invokeFailure(504, Map.of(), "upstream request timeout",
                    FaasTimeoutException.class);
            assertThat(e.mayHaveRun()).isTrue();
        }

        @Test
        void theInvokersRequestTimeoutIsATimeoutThatMayHaveRun() {
            FaasTimeoutException e = invokeFailure(408, Map.of(), "Request Timeout", FaasTimeoutException.class);
            assertThat(e.mayHaveRun()).isTrue();
            assertThat(e.timeout()).hasValue(Duration.ofSeconds(5));
        }

        @Test
        void notFoundWhileTheFunctionStillExistsIsFunctionNotFound() {
            invokeFailure(404, Map.of(), "Not Found", FunctionNotFoundException.class);
        }

        @Test
        void theExecutionIdIsTheRequestId() {
            FaasException e = invokeFailure(500, Map.of("Function-Execution-Id", "abc123"), "",
                    ProviderException.class);
            assertThat(e.requestId()).hasValue("abc123");
        }

        @Test
        void anAnswerThatIsNotTheSpecsJsonIsAProtocolError() {
            gcp.answer(200, Map.of("Content-Type", "text/html"), "<html>hello</html>");
            FutureAssertions.failureOf(executor.invokeWithMetrics(JobCall.of(12, new byte[] {1})),
                    dev.faasx.core.ProtocolException.class);
        }
    }
}
