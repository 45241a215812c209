package dev.faasx.aws.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.lambda.model.CreateFunctionRequest;
import software.amazon.awssdk.services.lambda.model.Environment;
import software.amazon.awssdk.services.lambda.model.FunctionCode;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.InvalidParameterValueException;
import software.amazon.awssdk.services.lambda.model.PackageType;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionCodeRequest;
import software.amazon.awssdk.services.lambda.model.UpdateFunctionConfigurationRequest;

/**
 * Creates or updates one Lambda function, step by step, waiting with the SDK's waiters for the function to be
 * {@code Active} and for each update to finish before the next step. A {@code ResourceConflictException} (another
 * update in progress) is answered by waiting for that update and trying again, a bounded number of times.
 *
 * <p>Thread-safe; holds no per-call state.
 */
public final class FunctionDeployer {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionDeployer.class);
    /** How many times one step is tried again after a conflict before giving up. */
    private static final int CONFLICT_ATTEMPTS = 8;

    private final LambdaApi api;
    private final String roleArn;
    private final KeepWarm keepWarm;
    private final PackageUpload upload;

    /** @param upload where packages over the direct-upload limit go, or {@code null} when there is no bucket */
    public FunctionDeployer(LambdaApi api, String roleArn, KeepWarm keepWarm, PackageUpload upload) {
        this.api = api;
        this.roleArn = roleArn;
        this.keepWarm = keepWarm;
        this.upload = upload;
    }

    /** Whether packages over the direct-upload limit can be deployed (through the S3 bucket). */
    public boolean uploadsLargePackages() {
        return upload != null;
    }

    /**
     * The code to deploy: the package itself when it fits a direct upload, otherwise where it was put in S3.
     */
    private CompletableFuture<FunctionCode> code(FunctionSettings s) {
        byte[] bytes = s.code().asByteArrayUnsafe();
        if (bytes.length <= PackageInspector.MAX_DIRECT_UPLOAD_BYTES || upload == null) {
            return CompletableFuture.completedFuture(FunctionCode.builder().zipFile(s.code()).build());
        }
        LOG.debug("uploading the {}-byte package of {} to S3 bucket {}", bytes.length, s.functionName(),
                upload.bucket());
        return upload.upload(s.functionName(), bytes).thenApply(location -> FunctionCode.builder()
                .s3Bucket(location.bucket()).s3Key(location.key()).build());
    }

    /**
     * The outcome of a deployment: the function as Lambda describes it afterwards, and what went wrong without
     * failing the deployment.
     */
    public record Deployed(GetFunctionResponse function, List<String> warnings) {
        public Deployed {
            warnings = List.copyOf(warnings);
        }
    }

    /** Deploys {@code settings}. */
    public CompletableFuture<Deployed> deploy(long jobId, FunctionSettings settings, ErrorContext ctx) {
        if (roleArn == null) {
            return CompletableFuture.failedFuture(new InvalidRequestException("cannot deploy "
                    + settings.functionName() + ": no execution role; set LambdaExecutor.builder().executionRole(arn)"
                    + " to the ARN of an IAM role Lambda may assume", ctx));
        }
        String name = settings.functionName();
        return code(settings).thenCompose(code -> find(name).thenCompose(existing -> existing == null
                        ? create(settings, code, ctx)
                        : update(settings, code, ctx).thenApply(v -> true))).thenCompose(existed -> concurrency(settings, ctx)
                .thenCompose(v -> keepWarm.apply(jobId, settings, existed, this, ctx)))
                .thenCompose(warnings -> api.call(c -> c.getFunction(r -> r.functionName(name)),
                        a -> a.getFunction(r -> r.functionName(name))).thenApply(fn -> new Deployed(fn, warnings)));
    }

    /** The function, or {@code null} when it does not exist. */
    public CompletableFuture<GetFunctionResponse> find(String name) {
        return api.call(c -> c.getFunction(r -> r.functionName(name)), a -> a.getFunction(r -> r.functionName(name)))
                .handle((response, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(response);
                    }
                    if (Throwables.unwrap(failure) instanceof ResourceNotFoundException) {
                        return CompletableFuture.<GetFunctionResponse>completedFuture(null);
                    }
                    return CompletableFuture.<GetFunctionResponse>failedFuture(Throwables.unwrap(failure));
                }).thenCompose(f -> f);
    }

    /** Creates the function; completes {@code false}, or {@code true} when it turned out to exist already. */
    private CompletableFuture<Boolean> create(FunctionSettings s, FunctionCode code, ErrorContext ctx) {
        CreateFunctionRequest request = CreateFunctionRequest.builder()
                .functionName(s.functionName())
                .role(roleArn)
                .runtime(s.runtime())
                .handler(s.handler())
                .architectures(s.architecture())
                .packageType(PackageType.ZIP)
                .code(code)
                .loggingConfig(l -> l.logFormat(s.logFormat()))
                .memorySize(s.memoryMb())
                .timeout(s.timeoutSeconds())
                .environment(Environment.builder().variables(s.environment()).build())
                .description("faasx job function")
                .tags(Map.of("faasx", "true"))
                .build();
        LOG.debug("creating Lambda function {}", s);
        return api.call(c -> c.createFunction(request), a -> a.createFunction(request))
                .handle((created, failure) -> {
                    if (failure == null) {
                        return waitActive(s.functionName(), ctx).thenApply(v -> false);
                    }
                    if (Throwables.unwrap(failure) instanceof ResourceConflictException) {
                        // Someone created it between our look-up and our create: update it instead.
                        return update(s, code, ctx).thenApply(v -> true);
                    }
                    return CompletableFuture.<Boolean>failedFuture(Throwables.unwrap(failure));
                }).thenCompose(f -> f);
    }

    private CompletableFuture<Void> update(FunctionSettings s, FunctionCode source, ErrorContext ctx) {
        String name = s.functionName();
        UpdateFunctionCodeRequest code = UpdateFunctionCodeRequest.builder()
                .functionName(name)
                .zipFile(source.zipFile())
                .s3Bucket(source.s3Bucket())
                .s3Key(source.s3Key())
                .architectures(s.architecture())
                .build();
        UpdateFunctionConfigurationRequest configuration = UpdateFunctionConfigurationRequest.builder()
                .functionName(name)
                .role(roleArn)
                .runtime(s.runtime())
                .handler(s.handler())
                .memorySize(s.memoryMb())
                .timeout(s.timeoutSeconds())
                .environment(Environment.builder().variables(s.environment()).build())
                .loggingConfig(l -> l.logFormat(s.logFormat()))
                .build();
        LOG.debug("updating Lambda function {}", s);
        return settle(name, ctx)
                .thenCompose(v -> onConflictWait(name, ctx, () -> api.call(c -> c.updateFunctionCode(code),
                        a -> a.updateFunctionCode(code))))
                .thenCompose(v -> waitUpdated(name, ctx))
                .thenCompose(v -> onConflictWait(name, ctx, () -> api.call(
                        c -> c.updateFunctionConfiguration(configuration),
                        a -> a.updateFunctionConfiguration(configuration))))
                .thenCompose(v -> waitUpdated(name, ctx));
    }

    private CompletableFuture<Void> concurrency(FunctionSettings s, ErrorContext ctx) {
        String name = s.functionName();
        if (s.reservedConcurrency() == null) {
            return api.call(c -> c.deleteFunctionConcurrency(r -> r.functionName(name)),
                            a -> a.deleteFunctionConcurrency(r -> r.functionName(name)))
                    .handle((ok, failure) -> ignoreNotFound(failure));
        }
        int reserved = s.reservedConcurrency();
        return api.call(c -> c.putFunctionConcurrency(r -> r.functionName(name).reservedConcurrentExecutions(reserved)),
                        a -> a.putFunctionConcurrency(
                                r -> r.functionName(name).reservedConcurrentExecutions(reserved)))
                .handle((ok, failure) -> {
                    if (failure == null) {
                        return null;
                    }
                    Throwable t = Throwables.unwrap(failure);
                    if (t instanceof InvalidParameterValueException e) {
                        throw new InvalidRequestException("Lambda refused to reserve " + reserved
                                + " concurrent executions for " + name + " (" + e.awsErrorDetails().errorMessage()
                                + "): lower maxConcurrency, raise the account's concurrency quota, or leave the"
                                + " function unreserved (remove provider option "
                                + FunctionSettings.OPTION_RESERVED_CONCURRENCY + "=true)",
                                List.of(String.valueOf(e.awsErrorDetails().errorMessage())),
                                LambdaErrors.translate(e, ctx, "reserve concurrency for", false).context(), e);
                    }
                    throw LambdaErrors.translate(t, ctx, "reserve concurrency for", false);
                });
    }

    /** Waits until the function is Active and no update is running. */
    CompletableFuture<Void> settle(String name, ErrorContext ctx) {
        return waitActive(name, ctx).thenCompose(v -> waitUpdated(name, ctx));
    }

    CompletableFuture<Void> waitActive(String name, ErrorContext ctx) {
        return api.waitUntilActive(name).handle((r, failure) -> failure == null
                ? CompletableFuture.<Void>completedFuture(null) : explain(name, "become Active", failure, ctx))
                .thenCompose(f -> f);
    }

    CompletableFuture<Void> waitUpdated(String name, ErrorContext ctx) {
        return api.waitUntilUpdated(name).handle((r, failure) -> failure == null
                ? CompletableFuture.<Void>completedFuture(null) : explain(name, "finish its update", failure, ctx))
                .thenCompose(f -> f);
    }

    /**
     * Runs {@code step}; when Lambda answers that the function is busy, waits until it has settled and runs the step
     * again.
     */
    <T> CompletableFuture<T> onConflictWait(String name, ErrorContext ctx, Supplier<CompletableFuture<T>> step) {
        return attempt(name, ctx, step, 1);
    }

    private <T> CompletableFuture<T> attempt(String name, ErrorContext ctx, Supplier<CompletableFuture<T>> step,
                                             int attempt) {
        return step.get().handle((result, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(result);
            }
            Throwable t = Throwables.unwrap(failure);
            if (t instanceof ResourceConflictException && attempt < CONFLICT_ATTEMPTS) {
                LOG.debug("{} is busy ({}); waiting for it to settle before trying again", name, t.getMessage());
                return settle(name, ctx).thenCompose(v -> attempt(name, ctx, step, attempt + 1));
            }
            return CompletableFuture.<T>failedFuture(t);
        }).thenCompose(f -> f);
    }

    /** Turns a failed wait into an error that names the state Lambda reports and why. */
    private CompletableFuture<Void> explain(String name, String goal, Throwable failure, ErrorContext ctx) {
        Throwable cause = Throwables.unwrap(failure);
        if (cause instanceof FaasException || cause instanceof AwsServiceException) {
            return CompletableFuture.failedFuture(cause);
        }
        if (cause instanceof SdkClientException && String.valueOf(cause.getMessage()).contains("exceeded")) {
            return CompletableFuture.failedFuture(new FaasTimeoutException("Lambda function " + name + " did not "
                    + goal + " within the deploy timeout: " + cause.getMessage(), null, ctx, cause));
        }
        return find(name).handle((fn, lookupFailure) -> {
            String state = fn == null ? "unknown" : fn.configuration().stateAsString() + "/"
                    + fn.configuration().lastUpdateStatusAsString();
            String reason = fn == null ? cause.getMessage() : firstNonNull(fn.configuration().lastUpdateStatusReason(),
                    fn.configuration().stateReason(), cause.getMessage());
            String code = fn == null ? null : firstNonNull(fn.configuration().lastUpdateStatusReasonCodeAsString(),
                    fn.configuration().stateReasonCodeAsString(), null);
            ErrorContext.Builder cb = ctx.toBuilder();
            if (code != null) {
                cb.code(code);
            }
            throw new ProviderException("Lambda function " + name + " did not " + goal + " (state " + state + "): "
                    + reason, false, false, cb.build(), cause);
        });
    }

    private static Void ignoreNotFound(Throwable failure) {
        if (failure == null || Throwables.unwrap(failure) instanceof ResourceNotFoundException) {
            return null;
        }
        throw new java.util.concurrent.CompletionException(Throwables.unwrap(failure));
    }

    private static String firstNonNull(String a, String b, String c) {
        return a != null && !a.isBlank() && !"null".equals(a) ? a : b != null && !b.isBlank() && !"null".equals(b)
                ? b : c;
    }
}
