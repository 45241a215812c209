package dev.faasx.aws;

import dev.faasx.aws.internal.FunctionDeployer;
import dev.faasx.aws.internal.FunctionDescriptions;
import dev.faasx.aws.internal.FunctionNames;
import dev.faasx.aws.internal.FunctionSettings;
import dev.faasx.aws.internal.InvokeRetries;
import dev.faasx.aws.internal.KeepWarm;
import dev.faasx.aws.internal.LambdaApi;
import dev.faasx.aws.internal.LambdaErrors;
import dev.faasx.aws.internal.LambdaInvoker;
import dev.faasx.aws.internal.PackageUpload;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs jobs as AWS Lambda functions, one function per job, named {@code {prefix}-job-{id}}.
 *
 * <p>Deploys a {@link FunctionPackage.NativeZip} (a zip with an executable {@code bootstrap}) on the
 * {@code provided.al2023} runtime, or a {@link FunctionPackage.Jar} on a managed Java runtime, where the adapter
 * {@code dev.faasx.aws.function.LambdaJobHandler} (module {@code faas-aws-function}) runs the JAR's
 * {@code JobHandler}. Deploying creates the function or updates its code and then its configuration, waiting with the
 * SDK's waiters between steps. A package over Lambda's 50 MB direct-upload limit is put in the S3 bucket given to
 * {@link Builder#packageBucket(String, String)} and deployed from there. Concurrency is reserved only with the
 * provider option {@code aws.reservedConcurrency=true} (a reservation takes concurrency from the rest of the account,
 * and new accounts often cannot reserve any). When {@link FaasConfig#keepWarmInstances()} is above zero, that many
 * environments are kept initialised with provisioned concurrency on the alias {@code faasx-warm}, which invocations
 * then use; whether a function has the alias is read from Lambda, so every process agrees. Provider options:
 * {@code aws.architecture} ({@code x86_64} or {@code arm64}), {@code aws.runtime} ({@code java21} or {@code java17},
 * for JARs), {@code aws.reservedConcurrency} ({@code false} or {@code true}), {@code aws.logFormat} ({@code Text} or
 * {@code JSON}).
 *
 * <p>An invocation sends the spec's invoke request JSON and expects the spec's response JSON. Its metrics carry the
 * round trip measured here and the figures of Lambda's report (the text {@code REPORT} line or the JSON
 * {@code platform.report} record: duration, billed duration, memory size, max memory used, init duration) as
 * reported by the provider; without a report, the execution time faasx's adapter measured inside the function is
 * labelled as reported by the function, and every other figure stays unknown. A cold start is reported exactly when
 * the report has an init (or restore) duration. A function error keeps the function's type, message and stack trace.
 *
 * <p>Thread-safe; share one executor across jobs and close it when done.
 *
 * <pre>{@code
 * try (LambdaExecutor lambda = LambdaExecutor.builder()
 *         .region("eu-west-1")
 *         .executionRole("arn:aws:iam::123456789012:role/faasx-jobs")
 *         .build()) {
 *     lambda.deploy(7, FunctionPackage.jar(Path.of("target/jobs.jar"), "com.example.Resize"),
 *             FaasConfig.builder().memoryMb(1024).timeout(Duration.ofSeconds(30)).build()).join();
 *     Invocation result = lambda.invokeWithMetrics(JobCall.of(7, image)).join();
 * }
 * }</pre>
 */
public final class LambdaExecutor implements FaasExecutor {
    /** The provider name in results and errors. */
    public static final String PROVIDER = "aws-lambda";
    /** Provider option: {@code x86_64} (default) or {@code arm64}. */
    public static final String OPTION_ARCHITECTURE = FunctionSettings.OPTION_ARCHITECTURE;
    /** Provider option for JAR packages: {@code java21} (default) or {@code java17}. */
    public static final String OPTION_RUNTIME = FunctionSettings.OPTION_RUNTIME;
    /**
     * Provider option: {@code true} reserves {@link FaasConfig#maxConcurrency()} for the function; {@code false}
     * (default) leaves it unreserved, sharing the account's unreserved pool, and removes an earlier reservation.
     */
    public static final String OPTION_RESERVED_CONCURRENCY = FunctionSettings.OPTION_RESERVED_CONCURRENCY;
    /**
     * Provider option: Lambda's log format, {@code Text} (default) or {@code JSON} ({@code LoggingConfig.LogFormat});
     * the REPORT figures are read from either.
     */
    public static final String OPTION_LOG_FORMAT = FunctionSettings.OPTION_LOG_FORMAT;

    private static final Set<PackageKind> KINDS = Set.of(PackageKind.NATIVE_BOOTSTRAP, PackageKind.JAR);

    private final LambdaApi api;
    private final FunctionNames names;
    private final KeepWarm keepWarm;
    private final FunctionDeployer deployer;
    private final LambdaInvoker invoker;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AutoCloseable ownedS3;
    private final ExecutorService ownedUploadPool;

    private LambdaExecutor(Builder b) {
        this.names = new FunctionNames(b.prefix, PROVIDER);
        WaiterOverrideConfiguration waiting = WaiterOverrideConfiguration.builder()
                .backoffStrategyV2(BackoffStrategy.fixedDelayWithoutJitter(b.pollInterval))
                .maxAttempts(Integer.MAX_VALUE)
                .waitTimeout(b.deployTimeout)
                .build();
        this.api = b.asyncClient != null
                ? LambdaApi.overAsync(b.asyncClient, waiting)
                : b.client != null
                ? LambdaApi.overSync(b.client, false, b.executor, waiting)
                : LambdaApi.overSync(b.defaultClient(), true, b.executor, waiting);
        this.keepWarm = new KeepWarm(api, b.pollInterval, b.deployTimeout);
        PackageUpload upload = null;
        S3Client s3 = null;
        ExecutorService uploadPool = null;
        if (b.packageBucket != null) {
            s3 = b.s3Client != null ? b.s3Client : b.defaultS3Client();
            Executor uploads = b.executor;
            if (uploads == null) {
                uploadPool = Executors.newCachedThreadPool(DaemonThreads.named("faasx-lambda-upload"));
                uploads = uploadPool;
            }
            upload = new PackageUpload(s3, b.packageBucket, b.packageKeyPrefix, uploads);
        }
        this.ownedS3 = b.s3Client == null ? s3 : null;
        this.ownedUploadPool = uploadPool;
        this.deployer = new FunctionDeployer(api, b.roleArn, keepWarm, upload);
        this.invoker = new LambdaInvoker(api, PROVIDER, names, keepWarm, SpecCodec.create(), b.encoding,
                InvokeRetries.plugin(b.invokeAttempts, b.retryBaseDelay));
    }

    /** A builder; {@link Builder#build()} checks the settings. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return KINDS;
    }

    /** The Lambda function name this executor uses for {@code jobId}. */
    public String functionName(long jobId) {
        return names.functionName(jobId);
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        Objects.requireNonNull(call, "call");
        return invoker.invoke(call);
    }

    /**
     * Queues the call as an asynchronous (Event) invocation and completes once Lambda has accepted it, without
     * waiting for the function. The request payload may be at most 1 MB of spec JSON.
     */
    public CompletableFuture<EventInvocation> invokeAsEvent(JobCall call) {
        Objects.requireNonNull(call, "call");
        return invoker.invokeEvent(call);
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        Objects.requireNonNull(functionPackage, "functionPackage");
        Objects.requireNonNull(config, "config");
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        FunctionSettings settings;
        try {
            settings = FunctionSettings.of(name, functionPackage, config, ctx, deployer.uploadsLargePackages());
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
        return translated(deployer.deploy(jobId, settings, ctx), ctx, "deploy")
                .thenApply(done -> FunctionDescriptions.deployment(jobId, done.function(), PROVIDER,
                        done.warnings()));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        return translated(deployer.find(name), ctx, "check the health of").thenApply(fn -> {
            if (fn == null) {
                throw notFound(name, ctx);
            }
            return FunctionDescriptions.health(fn);
        });
    }

    /**
     * With keep-warm configured, waits until the provisioned environments are ready. Without it, sends one warm-up
     * ping that starts (or reuses) an execution environment; the faasx adapters answer it without running the job.
     */
    @Override
    public CompletableFuture<Void> warm(long jobId) {
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        return translated(keepWarm.refresh(jobId, name), ctx, "warm").thenCompose(alias -> alias != null
                ? translated(keepWarm.awaitReady(name, ctx), ctx, "warm")
                : invoker.ping(jobId));
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        return translated(deployer.find(name), ctx, "look up").thenCompose(fn -> {
            if (fn == null) {
                throw notFound(name, ctx);
            }
            return translated(keepWarm.refresh(jobId, name), ctx, "look up")
                    .thenApply(alias -> deployment(jobId, fn));
        });
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        CompletableFuture<Void> deleted = api.call(c -> c.deleteFunction(r -> r.functionName(name)),
                        a -> a.deleteFunction(r -> r.functionName(name)))
                .handle((ok, failure) -> {
                    if (failure != null && !(Throwables.unwrap(failure) instanceof ResourceNotFoundException)) {
                        throw LambdaErrors.translate(failure, ctx, "delete", false);
                    }
                    keepWarm.forget(jobId);
                    return null;
                });
        return deleted;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            api.close();
            if (ownedUploadPool != null) {
                ownedUploadPool.shutdown();
            }
            if (ownedS3 != null) {
                try {
                    ownedS3.close();
                } catch (Exception ignored) {
                    // Closing an HTTP client twice is harmless.
                }
            }
        }
    }

    @Override
    public String toString() {
        return "LambdaExecutor[prefix=" + names.prefix() + "]";
    }

    private static FaasDeployment deployment(long jobId, GetFunctionResponse fn) {
        return FunctionDescriptions.deployment(jobId, fn, PROVIDER);
    }

    private static <T> CompletableFuture<T> translated(CompletableFuture<T> future, ErrorContext ctx, String action) {
        return future.handle((value, failure) -> {
            if (failure != null) {
                throw LambdaErrors.translate(failure, ctx, action, false);
            }
            return value;
        });
    }

    private static FunctionNotFoundException notFound(String name, ErrorContext ctx) {
        return new FunctionNotFoundException("Lambda function " + name + " does not exist: deploy the job first",
                ctx.toBuilder().status(404).code("ResourceNotFoundException").build());
    }

    private static ErrorContext context(long jobId, String name) {
        return ErrorContext.builder(PROVIDER).jobId(jobId).functionId(name).build();
    }

    /**
     * Builds a {@link LambdaExecutor}. Without an injected client, the executor builds a {@code LambdaClient} on the
     * JDK's URL connection HTTP client (read timeout 16 minutes, above Lambda's 15-minute maximum run time), with
     * the SDK's default credentials and region chains unless given here. Not thread-safe.
     *
     * <pre>{@code
     * LambdaExecutor lambda = LambdaExecutor.builder()
     *     .region("eu-west-1")
     *     .executionRole("arn:aws:iam::123456789012:role/faasx-jobs")
     *     .functionNamePrefix("billing")
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
        private static final Pattern ROLE_ARN =
                Pattern.compile("arn:aws[a-zA-Z-]*:iam::\\d{12}:role/[a-zA-Z_0-9+=,.@\\-/]{1,512}");

        private String prefix = "faasx";
        private String roleArn;
        private Region region;
        private AwsCredentialsProvider credentials;
        private URI endpoint;
        private LambdaClient client;
        private LambdaAsyncClient asyncClient;
        private Executor executor;
        private PayloadEncoding encoding = PayloadEncoding.BASE64;
        private int invokeAttempts = 3;
        private Duration retryBaseDelay = Duration.ofMillis(250);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration deployTimeout = Duration.ofMinutes(10);
        private String packageBucket;
        private String packageKeyPrefix = "faasx/";
        private S3Client s3Client;

        private Builder() {
        }

        /**
         * An S3 bucket (in the functions' region) for packages over Lambda's 50 MB direct-upload limit: such a package
         * is put at {@code {keyPrefix}{function name}/{sha256}.zip} and the function created or updated from there.
         * Smaller packages are still uploaded directly. Needs {@code s3:PutObject} on the bucket; without a bucket,
         * a package over the limit is refused before anything is sent.
         */
        public Builder packageBucket(String bucket, String keyPrefix) {
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            if (!BUCKET.matcher(bucket).matches()) {
                throw new IllegalArgumentException("'" + bucket + "' is not an S3 bucket name");
            }
            if (keyPrefix.startsWith("/") || keyPrefix.length() > 512) {
                throw new IllegalArgumentException("keyPrefix must not start with '/' and must be at most 512"
                        + " characters");
            }
            this.packageBucket = bucket;
            this.packageKeyPrefix = keyPrefix;
            return this;
        }

        /** {@link #packageBucket(String, String)} with the key prefix {@code faasx/}. */
        public Builder packageBucket(String bucket) {
            return packageBucket(bucket, "faasx/");
        }

        /**
         * The S3 client for {@link #packageBucket}; the caller keeps it and closes it. Default: one built like the
         * default Lambda client (region, credentials, endpoint override with path-style addressing, URL connection
         * HTTP client).
         */
        public Builder s3Client(S3Client value) {
            this.s3Client = Objects.requireNonNull(value, "s3Client");
            return this;
        }

        /** The region of the default client, for example {@code eu-west-1}; default: the SDK's region chain. */
        public Builder region(String value) {
            return region(Region.of(Objects.requireNonNull(value, "region")));
        }

        public Builder region(Region value) {
            this.region = Objects.requireNonNull(value, "region");
            return this;
        }

        /** Credentials of the default client; default: the SDK's default credentials chain. */
        public Builder credentialsProvider(AwsCredentialsProvider value) {
            this.credentials = Objects.requireNonNull(value, "credentialsProvider");
            return this;
        }

        /** Another endpoint for the default client, for example a LocalStack URL. */
        public Builder endpointOverride(URI value) {
            this.endpoint = Objects.requireNonNull(value, "endpoint");
            return this;
        }

        /** A client to use instead of the default one; the caller keeps it and closes it. */
        public Builder client(LambdaClient value) {
            this.client = Objects.requireNonNull(value, "client");
            return this;
        }

        /** An asynchronous client to use instead of the default one; the caller keeps it and closes it. */
        public Builder asyncClient(LambdaAsyncClient value) {
            this.asyncClient = Objects.requireNonNull(value, "asyncClient");
            return this;
        }

        /** Where blocking SDK calls run; default: an own pool of daemon threads, ended by {@code close()}. */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /** The ARN of the IAM role functions run as; needed to deploy, not to invoke. */
        public Builder executionRole(String arn) {
            this.roleArn = Objects.requireNonNull(arn, "executionRole");
            return this;
        }

        /** The start of every function name ({@code {prefix}-job-{id}}); default {@code faasx}. */
        public Builder functionNamePrefix(String value) {
            this.prefix = value;
            return this;
        }

        /**
         * How the body travels in the invoke JSON: {@link PayloadEncoding#BASE64} (default; the faasx adapters read
         * it, and it fits 4.5 MB of body into Lambda's 6 MB) or {@link PayloadEncoding#BYTE_ARRAY} (spec v1, for
         * functions that read only v1 JSON).
         */
        public Builder payloadEncoding(PayloadEncoding value) {
            this.encoding = Objects.requireNonNull(value, "payloadEncoding");
            return this;
        }

        /**
         * Attempts per invocation for errors after which the function certainly did not run (throttling, a function
         * not ready, a refused connection), with exponential back-off from {@code baseDelay}; default 3 and 250 ms.
         */
        public Builder invokeRetries(int maxAttempts, Duration baseDelay) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            this.invokeAttempts = maxAttempts;
            this.retryBaseDelay = positive(baseDelay, "baseDelay");
            return this;
        }

        /** How often deployments poll the function's state; default 1 s, as the SDK's waiters do. */
        public Builder pollInterval(Duration value) {
            this.pollInterval = positive(value, "pollInterval");
            return this;
        }

        /** The longest a deployment (or warm-up) waits for Lambda to settle; default 10 minutes. */
        public Builder deployTimeout(Duration value) {
            this.deployTimeout = positive(value, "deployTimeout");
            return this;
        }

        /**
         * @throws IllegalArgumentException when the role ARN is invalid, both a blocking and an asynchronous client
         *                                  are given, or default-client settings are combined with an injected client
         */
        public LambdaExecutor build() {
            if (client != null && asyncClient != null) {
                throw new IllegalArgumentException("give either client(...) or asyncClient(...), not both");
            }
            if ((client != null || asyncClient != null) && (region != null || credentials != null || endpoint != null)) {
                throw new IllegalArgumentException("region, credentialsProvider and endpointOverride configure the"
                        + " default client; set them on the injected client instead");
            }
            if (roleArn != null && !ROLE_ARN.matcher(roleArn).matches()) {
                throw new IllegalArgumentException("execution role '" + roleArn + "' is not an IAM"
                        + " role ARN such as arn:aws:iam::123456789012:role/faasx-jobs");
            }
            return new LambdaExecutor(this);
        }

        LambdaClient defaultClient() {
            var builder = LambdaClient.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofMinutes(16)));
            if (region != null) {
                builder.region(region);
            }
            if (credentials != null) {
                builder.credentialsProvider(credentials);
            }
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
            return builder.build();
        }

        S3Client defaultS3Client() {
            var builder = S3Client.builder()
                    .httpClientBuilder(UrlConnectionHttpClient.builder()
                            .connectionTimeout(Duration.ofSeconds(10))
                            .socketTimeout(Duration.ofMinutes(2)));
            if (region != null) {
                builder.region(region);
            }
            if (credentials != null) {
                builder.credentialsProvider(credentials);
            }
            if (endpoint != null) {
                builder.endpointOverride(endpoint).forcePathStyle(true);
            }
            return builder.build();
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
