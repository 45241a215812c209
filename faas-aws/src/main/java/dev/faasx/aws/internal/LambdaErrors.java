package dev.faasx.aws.internal;

import static dev.faasx.core.internal.Throwables.hasCause;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.spec.SpecErrors;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.concurrent.CancellationException;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.Ec2ThrottledException;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ResourceNotReadyException;
import software.amazon.awssdk.services.lambda.model.TooManyRequestsException;

/**
 * Turns what the AWS SDK throws into the {@link FaasException} a caller can act on, keeping the AWS request id,
 * HTTP status and error code in the {@link ErrorContext}.
 */
public final class LambdaErrors {
    /** Error codes that mean the request was refused for credentials or permissions. */
    private static final Set<String> ACCESS_CODES = Set.of("AccessDeniedException", "UnrecognizedClientException",
            "InvalidSignatureException", "ExpiredTokenException", "MissingAuthenticationTokenException",
            "IncompleteSignature", "InvalidClientTokenId", "KMSAccessDeniedException", "EC2AccessDeniedException");
    /** 4xx/5xx codes that say the request (not the service) is wrong. */
    private static final Set<String> INVALID_CODES = Set.of("InvalidParameterValueException",
            "InvalidRequestContentException", "RequestTooLargeException", "SerializedRequestEntityTooLargeException",
            "UnsupportedMediaTypeException", "CodeStorageExceededException", "CodeVerificationFailedException",
            "InvalidCodeSignatureException", "InvalidZipFileException", "InvalidRuntimeException",
            "PolicyLengthExceededException", "ValidationException", "InvalidSecurityGroupIDException",
            "InvalidSubnetIDException");

    private LambdaErrors() {
    }

    /**
     * Maps {@code failure} to a {@link FaasException}.
     *
     * @param context  what is known about the call (provider, job, function)
     * @param action   what was being done, for the message, for example {@code "invoke"}
     * @param isInvoke whether the call ran function code, so that an unclear failure may have run it
     */
    public static FaasException translate(Throwable failure, ErrorContext context, String action, boolean isInvoke) {
        Throwable t = Throwables.unwrap(failure);
        if (t instanceof FaasException f) {
            return f;
        }
        if (t instanceof AwsServiceException e) {
            return fromService(e, context, action, isInvoke);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return new FaasTimeoutException(action + " did not finish in time: " + t.getMessage(), null, context, t);
        }
        if (t instanceof SdkClientException) {
            boolean notSent = hasCause(t, ConnectException.class) || hasCause(t, UnknownHostException.class);
            return new ProviderException("cannot reach Lambda to " + action + ": " + t.getMessage(), true,
                    isInvoke && !notSent, context, t);
        }
        if (t instanceof CancellationException) {
            return new ProviderException(action + " was cancelled", false, isInvoke, context, t);
        }
        return new ProviderException(action + " failed: " + t, false, isInvoke, context, t);
    }

    private static FaasException fromService(AwsServiceException e, ErrorContext base, String action,
                                             boolean isInvoke) {
        AwsErrorDetails details = e.awsErrorDetails();
        String code = details == null ? null : details.errorCode();
        String message = details == null || details.errorMessage() == null ? e.getMessage() : details.errorMessage();
        ErrorContext.Builder cb = base.toBuilder().status(e.statusCode());
        if (e.requestId() != null) {
            cb.requestId(e.requestId());
        }
        if (code != null) {
            cb.code(code);
        }
        ErrorContext ctx = cb.build();
        String function = base.functionId().orElse("the function");
        if (e instanceof ResourceNotFoundException) {
            return new FunctionNotFoundException("Lambda function " + function + " not found (" + message
                    + "): deploy the job first", ctx, e);
        }
        if (e instanceof TooManyRequestsException throttle) {
            return new ThrottledException("Lambda throttled the " + action + " of " + function + ": " + message
                    + (throttle.reasonAsString() == null ? "" : " (" + throttle.reasonAsString() + ")"),
                    SpecErrors.parseRetryAfter(throttle.retryAfterSeconds()).orElse(null), ctx, e);
        }
        if (e instanceof Ec2ThrottledException) {
            return new ThrottledException("Lambda throttled the " + action + " of " + function + ": " + message,
                    null, ctx, e);
        }
        if (e instanceof ResourceConflictException) {
            return new ConflictException("Lambda function " + function + " is busy (" + message
                    + "): retry once its update has finished", true, ctx, e);
        }
        if (e instanceof ResourceNotReadyException) {
            return new ProviderException("Lambda function " + function + " is not ready: " + message, true, false,
                    ctx, e);
        }
        int status = e.statusCode();
        if (status == 401 || status == 403 || (code != null && ACCESS_CODES.contains(code))) {
            return new AccessDeniedException("AWS refused the " + action + " of " + function + ": " + message
                    + "; check the credentials and the IAM permissions listed in docs/providers/aws.md", ctx, e);
        }
        if (code != null && INVALID_CODES.contains(code) || status == 400 || status == 413 || status == 415) {
            return new InvalidRequestException("Lambda rejected the " + action + " of " + function + ": " + message,
                    java.util.List.of(message), ctx, e);
        }
        if (status >= 500) {
            return new ProviderException("Lambda failed to " + action + " " + function + ": " + message,
                    status != 501, isInvoke, ctx, e);
        }
        return new ProviderException("Lambda refused to " + action + " " + function + ": " + message, false,
                false, ctx, e);
    }
}
