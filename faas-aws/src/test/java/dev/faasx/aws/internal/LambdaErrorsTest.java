package dev.faasx.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.LambdaException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ServiceException;

@DisplayName("LambdaErrors maps SDK failures to faasx errors")
class LambdaErrorsTest {
    private static final ErrorContext CONTEXT = ErrorContext.builder("aws-lambda").jobId(7).functionId("f-job-7")
            .build();

    private static <T extends AwsServiceException.Builder> T service(T builder, int status, String code) {
        builder.statusCode(status).requestId("req-1")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("said " + code).build());
        return builder;
    }

    @Test
    @DisplayName("a 500 ServiceException of an invoke is retryable and may have run, with the request id")
    void serviceErrorOfInvoke() {
        FaasException e = LambdaErrors.translate(new CompletionException(
                service(ServiceException.builder(), 500, "ServiceException").build()), CONTEXT, "invoke", true);
        assertThat(e).isInstanceOf(ProviderException.class);
        assertThat(e.isRetryable()).isTrue();
        assertThat(e.mayHaveRun()).isTrue();
        assertThat(e.requestId()).contains("req-1");
        assertThat(e.status()).hasValue(500);
        assertThat(e.jobId()).hasValue(7);
    }

    @Test
    @DisplayName("a conflict is a retryable ConflictException; credentials and bad requests are not retryable")
    void conflictAccessAndInvalid() {
        assertThat(LambdaErrors.translate(service(ResourceConflictException.builder(), 409,
                "ResourceConflictException").build(), CONTEXT, "deploy", false))
                .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.isRetryable()).isTrue());
        assertThat(LambdaErrors.translate(service(LambdaException.builder(), 403, "ExpiredTokenException").build(),
                CONTEXT, "invoke", true)).isInstanceOf(AccessDeniedException.class);
        assertThat(LambdaErrors.translate(service(LambdaException.builder(), 400,
                "InvalidParameterValueException").build(), CONTEXT, "deploy", false))
                .isInstanceOfSatisfying(InvalidRequestException.class,
                        e -> assertThat(e.errorCode()).contains("InvalidParameterValueException"));
    }

    @Test
    @DisplayName("a refused connection did not run the function; a read timeout of an invoke may have")
    void networkFailures() {
        FaasException refused = LambdaErrors.translate(SdkClientException.builder().message("refused")
                .cause(new ConnectException("Connection refused")).build(), CONTEXT, "invoke", true);
        assertThat(refused.mayHaveRun()).isFalse();
        assertThat(refused.isRetryable()).isTrue();
        FaasException timedOut = LambdaErrors.translate(SdkClientException.builder().message("read timed out")
                .cause(new SocketTimeoutException("Read timed out")).build(), CONTEXT, "invoke", true);
        assertThat(timedOut.mayHaveRun()).isTrue();
    }
}
