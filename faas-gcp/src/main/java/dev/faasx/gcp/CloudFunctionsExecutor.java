package dev.faasx.gcp;

import com.google.auth.oauth2.IdTokenProvider;
import com.google.cloud.functions.v2.CreateFunctionRequest;
import com.google.cloud.functions.v2.DeleteFunctionRequest;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.GenerateUploadUrlRequest;
import com.google.cloud.functions.v2.GenerateUploadUrlResponse;
import com.google.cloud.functions.v2.UpdateFunctionRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.FieldMask;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.gcp.internal.FunctionCaller;
import dev.faasx.gcp.internal.FunctionDescriptions;
import dev.faasx.gcp.internal.FunctionNames;
import dev.faasx.gcp.internal.FunctionSpec;
import dev.faasx.gcp.internal.GcpErrors;
import dev.faasx.gcp.internal.IdTokens;
import dev.faasx.gcp.internal.InvocationFigures;
import dev.faasx.gcp.internal.OperationPoller;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Runs jobs as Google Cloud Functions (2nd gen), one function per job, named
 * {@code projects/{project}/locations/{region}/functions/{prefix}-job-{id}}, through the v2 API's
 * {@code FunctionServiceClient}.
 *
 * <p>Deploys a {@link FunctionPackage.Jar} on a Java runtime ({@code java21} by default, or {@code java17}) with the
 * faasx adapter {@code dev.faasx.gcp.function.JobHttpFunction} as entry point and {@code FAASX_HANDLER} naming the
 * JAR's {@code JobHandler}; the JAR is deployed as a prebuilt JAR (no Maven build), so it must be a fat JAR that
 * holds the adapter, faasx core and their dependencies. Or a {@link FunctionPackage.SourceBundle}: a source zip for
 * any runtime with its entry point, deployed as it is. A deployment asks for an upload URL, uploads the zip, creates
 * the function (or updates it when it exists) and waits for the long-running operation with a bounded, backing-off
 * poll; a failed build becomes an {@link InvalidRequestException} with Google's message. Memory, timeout,
 * environment, concurrency ({@link FaasConfig#maxConcurrency()} requests per instance, up to 1000) and keep-warm
 * (min instances) come from the {@link FaasConfig}; provider options: {@code gcp.runtime}, {@code gcp.entryPoint},
 * {@code gcp.ingress}, {@code gcp.serviceAccount}, {@code gcp.maxInstances}, {@code gcp.concurrencyPerInstance}.
 *
 * <p>An invocation POSTs the spec's invoke JSON to the function's URL with a Google-signed ID token for that URL
 * (from google-auth, cached until shortly before it expires). Its metrics carry the round trip measured here and what
 * the faasx adapter measured inside the function (execution time, cold start) as
 * {@linkplain dev.faasx.core.Provenance#REPORTED_BY_FUNCTION reported by the function}; the request id is Google's
 * {@code Function-Execution-Id} header where it gives one.
 *
 * <p>Thread-safe; share one executor across jobs and close it when done.
 *
 * <pre>{@code
 * try (CloudFunctionsExecutor gcf = CloudFunctionsExecutor.builder()
 *         .projectId("my-project")
 *         .region("europe-west1")
 *         .build()) {
 *     gcf.deploy(7, FunctionPackage.jar(Path.of("target/jobs-all.jar"), "com.example.Resize"),
 *             FaasConfig.builder().memoryMb(1024).timeout(Duration.ofSeconds(60)).build()).join();
 *     Invocation result = gcf.invokeWithMetrics(JobCall.of(7, image)).join();
 * }
 * }</pre>
 */
public final class CloudFunctionsExecutor implements FaasExecutor {
    /** The provider name in results and errors. */
    public static final String PROVIDER = "gcp-cloud-functions";
    /** Provider option: {@code java21} (default) or {@code java17}, for JAR packages. */
    public static final String OPTION_RUNTIME = FunctionSpec.OPTION_RUNTIME;
    /** Provider option: the entry point class for JAR packages; default the faasx adapter. */
    public static final String OPTION_ENTRY_POINT = FunctionSpec.OPTION_ENTRY_POINT;
    /** Provider option: {@code ALLOW_ALL} (default), {@code ALLOW_INTERNAL_ONLY} or {@code ALLOW_INTERNAL_AND_GCLB}. */
    public static final String OPTION_INGRESS = FunctionSpec.OPTION_INGRESS;
    /** Provider option: the service account the function runs as. */
    public static final String OPTION_SERVICE_ACCOUNT = FunctionSpec.OPTION_SERVICE_ACCOUNT;
    /** Provider option: the most instances; default: enough for max concurrency. */
    public static final String OPTION_MAX_INSTANCES = FunctionSpec.OPTION_MAX_INSTANCES;
    /** Provider option: concurrent requests per instance; default max concurrency (at most 1000). */
    public static final String OPTION_CONCURRENCY_PER_INSTANCE = FunctionSpec.OPTION_CONCURRENCY_PER_INSTANCE;
    /** Cloud Functions' limit on an HTTP request body. */
    public static final int MAX_REQUEST_BYTES = 32 * 1024 * 1024;

    private static final Set<PackageKind> KINDS = Set.of(PackageKind.JAR, PackageKind.SOURCE_BUNDLE);
    private static final String WARM_UP_HEADER = "X-Faasx-Warm-Up";

    private record Target(URI uri, int timeoutSeconds, long memoryMb) {
    }

    private final FunctionServiceClient client;
    private final boolean ownsClient;
    private final FunctionNames names;
    private final IdTokens idTokens;
    private final FunctionCaller caller;
    private final OperationPoller poller;
    private final SpecCodec codec = SpecCodec.create();
    private final PayloadEncoding encoding;
    private final ExecutorService threads;
    private final Map<Long, Target> targets = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    CloudFunctionsExecutor(CloudFunctionsExecutorBuilder b, String project, String region,
                           FunctionServiceClient client, boolean ownsClient, Supplier<IdTokenProvider> tokens) {
        this.names = new FunctionNames(b.prefix, project, region);
        this.client = client;
        this.ownsClient = ownsClient;
        this.idTokens = new IdTokens(tokens, b.tokenRefreshMargin, b.clock);
        this.caller = new FunctionCaller(Duration.ofSeconds(10));
        this.poller = new OperationPoller(b.pollInitialDelay, b.pollMaxDelay, b.deployTimeout);
        this.encoding = b.encoding;
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faasx-gcp");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; {@link CloudFunctionsExecutorBuilder#build()} checks the settings. */
    public static CloudFunctionsExecutorBuilder builder() {
        return new CloudFunctionsExecutorBuilder();
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return KINDS;
    }

    /** The full resource name of the function for {@code jobId}. */
    public String functionName(long jobId) {
        return names.functionName(jobId);
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        Objects.requireNonNull(call, "call");
        return async(() -> call(call));
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        Objects.requireNonNull(functionPackage, "functionPackage");
        Objects.requireNonNull(config, "config");
        ErrorContext ctx = context(jobId);
        FunctionSpec spec;
        try {
            spec = FunctionSpec.of(names.functionName(jobId), jobId, functionPackage, config, ctx);
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
        return async(() -> deploy(jobId, spec, ctx));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return async(() -> {
            ErrorContext ctx = context(jobId);
            Function fn = describe(jobId, ctx, "check the health of");
            if (fn.getState() != Function.State.ACTIVE) {
                return FaasHealth.failing("the function is " + fn.getState() + FunctionDescriptions.messages(fn));
            }
            Target target = remember(jobId, fn);
            FunctionCaller.Answer answer = caller.get(target.uri(), idTokens.forAudience(target.uri().toString(), ctx),
                    null, Duration.ofSeconds(30), ctx);
            if (answer.unreachable()) {
                return FaasHealth.failing("the function's URL " + target.uri() + " does not answer");
            }
            int status = answer.response().statusCode();
            return status == 200 ? FaasHealth.ok()
                    : FaasHealth.failing("the function's URL answered HTTP " + status);
        });
    }

    /**
     * With min instances configured (keep-warm), checks that the function is active; Google keeps those instances
     * started. Otherwise sends one warm-up call, labelled so that the faasx adapter answers it without running the
     * job, which starts (or reuses) an instance.
     */
    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return async(() -> {
            ErrorContext ctx = context(jobId);
            Function fn = describe(jobId, ctx, "warm");
            Target target = remember(jobId, fn);
            if (fn.getServiceConfig().getMinInstanceCount() > 0 && fn.getState() == Function.State.ACTIVE) {
                return null;
            }
            FunctionCaller.Answer answer = caller.get(target.uri(), idTokens.forAudience(target.uri().toString(), ctx),
                    WARM_UP_HEADER, Duration.ofSeconds(target.timeoutSeconds() + 30L), ctx);
            if (answer.unreachable()) {
                throw new ProviderException("the function's URL " + target.uri() + " does not answer", true, false, ctx);
            }
            if (answer.response().statusCode() / 100 != 2) {
                throw httpFailure(jobId, target, answer.response(), ctx);
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return async(() -> {
            ErrorContext ctx = context(jobId);
            Function fn = describe(jobId, ctx, "look up");
            remember(jobId, fn);
            return FunctionDescriptions.deployment(jobId, fn, PROVIDER, -1);
        });
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        return async(() -> {
            ErrorContext ctx = context(jobId);
            targets.remove(jobId);
            Operation op;
            try {
                op = client.deleteFunctionCallable().call(DeleteFunctionRequest.newBuilder()
                        .setName(names.functionName(jobId)).build());
            } catch (RuntimeException e) {
                FaasException error = GcpErrors.translate(e, ctx, "delete");
                if (error instanceof FunctionNotFoundException) {
                    return null;
                }
                throw error;
            }
            poller.await(client, op, ctx, "delete");
            return null;
        });
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            threads.shutdownNow();
            if (ownsClient) {
                client.close();
            }
        }
    }

    @Override
    public String toString() {
        return "CloudFunctionsExecutor[" + names.location() + "]";
    }

    private FaasDeployment deploy(long jobId, FunctionSpec spec, ErrorContext ctx) {
        GenerateUploadUrlResponse upload;
        try {
            upload = client.generateUploadUrl(GenerateUploadUrlRequest.newBuilder().setParent(names.location()).build());
        } catch (RuntimeException e) {
            throw GcpErrors.translate(e, ctx, "upload the source of");
        }
        HttpResponse<byte[]> uploaded = caller.upload(URI.create(upload.getUploadUrl()), spec.sourceZip(), ctx);
        if (uploaded.statusCode() / 100 != 2) {
            throw new ProviderException("the upload of the source was refused with HTTP " + uploaded.statusCode()
                    + ": " + new String(uploaded.body(), StandardCharsets.UTF_8).strip(), true, false,
                    ctx.toBuilder().status(uploaded.statusCode()).build());
        }
        Function function = spec.withSource(upload.getStorageSource());
        Operation op;
        String action = "create";
        try {
            op = client.createFunctionCallable().call(CreateFunctionRequest.newBuilder().setParent(names.location())
                    .setFunctionId(names.functionId(jobId)).setFunction(function).build());
        } catch (RuntimeException e) {
            FaasException error = GcpErrors.translate(e, ctx, "create");
            if (!"ALREADY_EXISTS".equals(error.errorCode().orElse(""))) {
                throw error;
            }
            action = "update";
            try {
                op = client.updateFunctionCallable().call(UpdateFunctionRequest.newBuilder().setFunction(function)
                        .setUpdateMask(FieldMask.newBuilder().addPaths("build_config").addPaths("service_config")
                                .addPaths("labels")).build());
            } catch (RuntimeException again) {
                throw GcpErrors.translate(again, ctx, "update");
            }
        }
        Operation done = poller.await(client, op, ctx, action);
        Function deployed;
        try {
            deployed = done.getResponse().unpack(Function.class);
        } catch (InvalidProtocolBufferException e) {
            throw new ProtocolException("the finished operation does not hold a function: " + e.getMessage(), false,
                    ctx, e);
        }
        remember(jobId, deployed);
        return FunctionDescriptions.deployment(jobId, deployed, PROVIDER, spec.sourceZip().length);
    }

    private Invocation call(JobCall call) {
        long start = System.nanoTime();
        long jobId = call.jobId();
        ErrorContext ctx = context(jobId);
        byte[] body = codec.encodeRequest(InvokeRequest.from(call), encoding);
        if (body.length > MAX_REQUEST_BYTES) {
            throw new InvalidRequestException("the invoke request is " + body.length + " bytes, over Cloud Functions'"
                    + " limit of " + MAX_REQUEST_BYTES + " bytes for an HTTP request", ctx);
        }
        Target target = target(jobId, ctx);
        String audience = target.uri().toString();
        Duration timeout = Duration.ofSeconds(target.timeoutSeconds() + 30L);
        FunctionCaller.Answer answer = caller.post(target.uri(), idTokens.forAudience(audience, ctx), body, timeout, ctx);
        if (answer.unreachable()) {
            targets.remove(jobId);
            describe(jobId, ctx, "invoke");
            throw new ProviderException("the function's URL " + target.uri() + " refused the connection", true, false,
                    ctx);
        }
        HttpResponse<byte[]> response = answer.response();
        String requestId = InvocationFigures.requestId(response.headers());
        ErrorContext withId = requestId == null ? ctx : ctx.toBuilder().requestId(requestId).build();
        if (response.statusCode() != 200) {
            if (response.statusCode() == 400 && looksLikeSpecFailure(response)) {
                throw InvocationFigures.protocolFailure(codec, response.body(), withId);
            }
            throw httpFailure(jobId, target, response, withId);
        }
        Decoded<InvokeResponse> decoded = codec.decodeResponseWithEncoding(response.body(), withId);
        Duration total = Duration.ofNanos(System.nanoTime() - start);
        return InvocationFigures.invocation(decoded.value(), total, requestId, target.memoryMb(), withId);
    }

    private static boolean looksLikeSpecFailure(HttpResponse<byte[]> response) {
        return response.headers().firstValue("Content-Type").orElse("").startsWith("application/json");
    }

    private FaasException httpFailure(long jobId, Target target, HttpResponse<byte[]> response, ErrorContext ctx) {
        int status = response.statusCode();
        String text = new String(response.body(), 0, Math.min(response.body().length, 2048), StandardCharsets.UTF_8);
        if (status == 401 || status == 403) {
            idTokens.invalidate(target.uri().toString());
        }
        if (status == 404) {
            targets.remove(jobId);
            describe(jobId, ctx, "invoke");
        }
        return GcpErrors.fromHttp(status, response.headers(), text, ctx, Duration.ofSeconds(target.timeoutSeconds()));
    }

    private Target target(long jobId, ErrorContext ctx) {
        Target known = targets.get(jobId);
        if (known != null) {
            return known;
        }
        Function fn = describe(jobId, ctx, "invoke");
        // While an update deploys, the previous revision goes on serving at the same URL.
        if (fn.getState() != Function.State.ACTIVE && fn.getState() != Function.State.DEPLOYING) {
            throw new FunctionNotFoundException("function " + fn.getName() + " is " + fn.getState()
                    + FunctionDescriptions.messages(fn) + ": deploy the job again", ctx);
        }
        return remember(jobId, fn);
    }

    private Target remember(long jobId, Function fn) {
        String uri = fn.getServiceConfig().getUri().isEmpty() ? fn.getUrl() : fn.getServiceConfig().getUri();
        if (uri.isEmpty()) {
            throw new ProviderException("function " + fn.getName() + " has no URL yet (state " + fn.getState() + ")",
                    true, false, context(jobId));
        }
        Target target = new Target(URI.create(uri), fn.getServiceConfig().getTimeoutSeconds() > 0
                ? fn.getServiceConfig().getTimeoutSeconds() : 60,
                FunctionDescriptions.memoryMb(fn.getServiceConfig().getAvailableMemory()));
        if (fn.getState() == Function.State.ACTIVE) {
            targets.put(jobId, target);
        }
        return target;
    }

    private Function describe(long jobId, ErrorContext ctx, String action) {
        try {
            return client.getFunction(names.functionName(jobId));
        } catch (RuntimeException e) {
            throw GcpErrors.translate(e, ctx, action);
        }
    }

    private ErrorContext context(long jobId) {
        return ErrorContext.builder(PROVIDER).jobId(jobId).functionId(names.functionName(jobId)).build();
    }

    private <T> CompletableFuture<T> async(Supplier<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (Throwable t) {
                    Throwable cause = Throwables.unwrap(t);
                    result.completeExceptionally(cause instanceof FaasException ? cause
                            : new ProviderException("unexpected failure: " + cause, false, true, ErrorContext.of(PROVIDER),
                            cause));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("the executor is closed", e));
        }
        return result;
    }
}
