package dev.faasx.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.cloudflare.internal.CloudflareApi;
import dev.faasx.cloudflare.internal.ScriptNames;
import dev.faasx.cloudflare.internal.WorkerInvoker;
import dev.faasx.cloudflare.internal.WorkerUpload;
import dev.faasx.cloudflare.internal.WrapperModule;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.WorkerModule;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs jobs on Cloudflare Workers, through Cloudflare's v4 API on faas-core's shared HTTP transport (the JDK
 * {@link HttpClient}; Cloudflare has no Java SDK): a request that could not be sent (refused connection, DNS, TLS,
 * connect timeout) did not run; answers are size-capped and a stalled body is cut off. A job's function is a Worker made of ES modules ({@link FunctionPackage.WorkerModules}: JavaScript and
 * WebAssembly) whose main module exports {@code job(call, env, ctx)} or a plain {@code fetch(request, env, ctx)}.
 *
 * <p>{@link #deploy} uploads the modules as script {@code faasx-job-<id>} together with a small wrapper module that
 * speaks the faasx invoke JSON, enforces the timeout, tags each call with the request id the executor sends, and
 * writes one Workers Analytics Engine data point per invocation; the configuration's environment variables become
 * {@code plain_text} bindings, or {@code secret_text} for those named in the provider option
 * {@code cloudflare.secrets}. Further provider options: {@code cloudflare.cpu_ms} (the CPU limit),
 * {@code cloudflare.kv.<BINDING>}, {@code cloudflare.d1.<BINDING>}, {@code cloudflare.r2.<BINDING>},
 * {@code cloudflare.durable_object.<BINDING>} (a class the main module exports) and {@code cloudflare.keep_bindings}.
 * Each deployment is guarded by a fresh random invocation secret unless the builder sets one or none. It then
 * enables the Worker on workers.dev and waits (bounded) until the new version answers. {@link #invokeWithMetrics}
 * POSTs to the Worker's URL: the total duration is measured by the client; the execution time and whether the
 * isolate was cold are {@linkplain dev.faasx.core.Provenance#REPORTED_BY_FUNCTION reported by the function} (faasx's
 * wrapper measured them; they are the same figures its data point holds, which {@link #analytics()} reads back).
 * Nothing is derived from latency. A 503 from Cloudflare (a CPU-limit kill, error 1102) may have run: the wrapper's
 * timeout cannot stop code that computes without yielding, only the CPU limit can.
 *
 * <p>Cloudflare's errors ({@code errors[].code} and {@code message}) become {@link dev.faasx.core.FaasException}s:
 * 429 a {@link dev.faasx.core.ThrottledException} with {@code Retry-After}, a script that is too large (10027) or does
 * not validate (10021) an {@link InvalidRequestException} carrying Cloudflare's code and message.
 *
 * <pre>{@code
 * try (CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
 *         .credentials(CloudflareCredentials.fromEnvironment())
 *         .build()) {
 *     executor.deploy(7, FunctionPackage.workerModules("job.js", List.of(
 *             WorkerModule.esModule("job.js", "export default { job(call) { return call.body; } };"))),
 *         FaasConfig.defaults()).join();
 *     Invocation inv = executor.invokeWithMetrics(JobCall.of(7, bytes)).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance. Invocations are sent on up to
 * {@link CloudflareWorkersExecutorBuilder#invocationThreads(int) 64} daemon threads of its own, which end after 30
 * seconds without work or at {@link #close()} (an {@link HttpClient} passed to the builder stays the caller's).
 */
public final class CloudflareWorkersExecutor implements FaasExecutor {
    /** The provider name, in results and errors. */
    public static final String PROVIDER = "cloudflare-workers";
    /** Cloudflare's API. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.cloudflare.com/client/v4");
    /** The Workers compatibility date of deployed scripts unless the builder sets another. */
    public static final String DEFAULT_COMPATIBILITY_DATE = "2025-09-01";
    /** Where workers.dev serves a script. */
    public static final String DEFAULT_WORKER_URL_TEMPLATE = "https://{script}.{subdomain}.workers.dev/";

    static final String BINDING_ANALYTICS = "FAASX_ANALYTICS";
    static final String BINDING_TIMEOUT = "FAASX_TIMEOUT_MS";
    static final String BINDING_DEPLOYMENT = "FAASX_DEPLOYMENT_ID";
    static final String BINDING_SCRIPT = "FAASX_SCRIPT";
    static final String BINDING_SECRET = "FAASX_INVOKE_SECRET";
    private static final Set<String> RESERVED = Set.of(BINDING_ANALYTICS, BINDING_TIMEOUT, BINDING_DEPLOYMENT,
            BINDING_SCRIPT, BINDING_SECRET);
    /** How much longer than the function's timeout the client waits for an answer. */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(30);

    private final CloudflareWorkersExecutorBuilder.Settings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpTransport apiTransport;
    private final HttpTransport workerTransport;
    private final CloudflareApi api;
    private final WorkerInvoker invoker;
    private final SecureRandom random = new SecureRandom();
    private final ScriptNames names;
    private final WrapperModule wrapper = WrapperModule.load();
    private final AnalyticsQuery analytics;
    private final Map<Long, Duration> timeouts = new ConcurrentHashMap<>();
    private final Map<Long, String> secrets = new ConcurrentHashMap<>();
    private final Map<Long, Duration> startupTimes = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<String>> subdomain = new AtomicReference<>();

    CloudflareWorkersExecutor(CloudflareWorkersExecutorBuilder.Settings settings) {
        this.settings = settings;
        this.names = new ScriptNames(settings.scriptNamePrefix());
        HttpTransport.Builder apiBuilder = HttpTransport.builder("cloudflare")
                .maxResponseBytes(settings.maxResponseBytes()).invocationThreads(0)
                .authHeaders(() -> credentialsNow().authHeaders());
        this.apiTransport = (settings.ownsHttp() ? apiBuilder.ownedClient(settings.http())
                : apiBuilder.client(settings.http())).build();
        // The Workers get no API credentials: their own secret travels per request.
        this.workerTransport = HttpTransport.builder("cloudflare").client(settings.http())
                .maxResponseBytes(settings.maxResponseBytes()).invocationThreads(settings.invocationThreads()).build();
        this.api = new CloudflareApi(apiTransport, settings.apiBase(), this::credentialsNow, json,
                settings.apiTimeout());
        this.invoker = new WorkerInvoker(workerTransport, SpecCodec.create(), json, settings.encoding());
        this.analytics = new AnalyticsQuery(api, names, settings.dataset() == null ? "" : settings.dataset(),
                settings.analyticsPollInterval());
    }

    /** A builder; credentials default to {@link CloudflareCredentials#fromEnvironment()}. */
    public static CloudflareWorkersExecutorBuilder builder() {
        return new CloudflareWorkersExecutorBuilder();
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of(PackageKind.WORKER_MODULES);
    }

    /** The Worker script name of a job, for example {@code faasx-job-7}. */
    public String scriptName(long jobId) {
        return names.of(jobId);
    }

    /** Reads the invocations recorded in Analytics Engine. */
    public AnalyticsQuery analytics() {
        if (settings.dataset() == null) {
            throw new IllegalStateException("Analytics Engine is switched off for this executor");
        }
        return analytics;
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        String script = names.of(call.jobId());
        ErrorContext ctx = context(call.jobId());
        Duration wait = timeouts.getOrDefault(call.jobId(), FaasConfig.MAX_TIMEOUT).plus(ANSWER_MARGIN);
        String secret = switch (settings.secretMode()) {
            case FIXED -> settings.invocationSecret();
            case NONE -> null;
            case RANDOM_PER_DEPLOYMENT -> secrets.get(call.jobId());
        };
        boolean unknownSecret = secret == null && settings.secretMode() == CloudflareWorkersExecutorBuilder.SecretMode
                .RANDOM_PER_DEPLOYMENT;
        CompletableFuture<Invocation> sent = workerUrl(script, ctx)
                .thenCompose(url -> invoker.invoke(url, call, secret, wait, ctx));
        if (!unknownSecret) {
            return sent;
        }
        // Not deployed by this executor: a Worker that is not there still answers "not found"; one that is there
        // refuses the call, and the error says why.
        return sent.exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof AccessDeniedException denied) {
                return CompletableFuture.failedFuture(new AccessDeniedException("job " + call.jobId() + " was not "
                        + "deployed by this executor, so it does not know the Worker's random invocation secret: "
                        + "deploy it again with this executor, or give every executor the same secret with "
                        + "invocationSecret(...)", denied.context()));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        ErrorContext ctx = context(jobId);
        String script = names.of(jobId);
        String deploymentId = UUID.randomUUID().toString();
        String secret = switch (settings.secretMode()) {
            case FIXED -> settings.invocationSecret();
            case NONE -> null;
            case RANDOM_PER_DEPLOYMENT -> randomSecret();
        };
        WorkerUpload upload;
        long size;
        try {
            FunctionPackage.WorkerModules modules = check(functionPackage, config, ctx);
            List<WorkerModule> parts = new ArrayList<>();
            parts.add(wrapper.forMainModule(modules.mainModule(), DeployOptions.objectClasses(config)));
            parts.addAll(modules.modules());
            size = parts.stream().mapToLong(m -> m.content().length).sum();
            upload = WorkerUpload.of(json, DeployOptions.metadata(json, script, deploymentId, config, settings,
                    secret), parts);
        } catch (InvalidRequestException e) {
            return CompletableFuture.failedFuture(e);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(new InvalidRequestException(e.getMessage(), ctx));
        }
        return api.uploadScript(script, upload, ctx)
                .thenCompose(result -> api.enableWorkersDev(script, ctx).thenApply(x -> result))
                .thenCompose(result -> workerUrl(script, ctx).thenCompose(url ->
                        invoker.awaitReady(url, deploymentId, settings.readinessTimeout(), ctx).thenApply(ready -> {
                            timeouts.put(jobId, config.timeout());
                            if (secret != null) {
                                secrets.put(jobId, secret);
                            }
                            JsonNode startup = result.get("startup_time_ms");
                            if (startup != null && startup.isNumber() && startup.asLong() >= 0) {
                                startupTimes.put(jobId, Duration.ofMillis(startup.asLong()));
                            } else {
                                startupTimes.remove(jobId);
                            }
                            // Cloudflare's startup_time_ms is how long the script's top level took to run when the
                            // upload was validated, not a cold start of an invocation: it is not reported as one.
                            FaasDeployment.Builder b = FaasDeployment.builder(script, jobId, PROVIDER).endpoint(url)
                                    .timeout(config.timeout()).packageSizeBytes(size);
                            modifiedOn(result).ifPresent(b::deployedAt);
                            return b.build();
                        })));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        ErrorContext ctx = context(jobId);
        String script = names.of(jobId);
        return api.scriptSettings(script, ctx)
                .thenCompose(settingsResult -> workerUrl(script, ctx))
                .thenCompose(url -> invoker.health(url, Duration.ofSeconds(30), ctx)
                        .thenApply(response -> invoker.healthyDeployment(response).isPresent() ? FaasHealth.ok()
                                : FaasHealth.failing("the Worker answered HTTP " + response.status() + " on "
                                + url))
                        .exceptionally(e -> FaasHealth.failing("the Worker is not reachable on " + url + ": "
                                + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()))));
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        ErrorContext ctx = context(jobId);
        String script = names.of(jobId);
        return workerUrl(script, ctx).thenCompose(url -> invoker.health(url, Duration.ofSeconds(30), ctx))
                .thenAccept(response -> {
                    if (invoker.healthyDeployment(response).isEmpty()) {
                        throw new CompletionException(SpecErrors.toException(response.status(),
                                response.body(), ctx));
                    }
                });
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        ErrorContext ctx = context(jobId);
        String script = names.of(jobId);
        return api.scriptSettings(script, ctx).thenCompose(result -> workerUrl(script, ctx).thenApply(url -> {
            FaasDeployment.Builder b = FaasDeployment.builder(script, jobId, PROVIDER).endpoint(url);
            for (JsonNode binding : result.path("bindings")) {
                if (BINDING_TIMEOUT.equals(binding.path("name").asText()) && binding.path("text").isTextual()) {
                    try {
                        b.timeout(Duration.ofMillis(Long.parseLong(binding.path("text").asText())));
                    } catch (NumberFormatException e) {
                        // not written by this executor: leave the timeout unknown
                    }
                }
            }
            return b.build();
        }));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        return api.deleteScript(names.of(jobId), context(jobId)).thenRun(() -> {
            timeouts.remove(jobId);
            secrets.remove(jobId);
            startupTimes.remove(jobId);
        });
    }

    /**
     * How long the job's script took to start (run its top-level code) when Cloudflare validated the last upload
     * this executor made, as Cloudflare reported it ({@code startup_time_ms}); unknown when Cloudflare did not report
     * it or this executor did not deploy the job. This is not the cold start of an invocation: Cloudflare measures
     * it once, at upload, against its start-up limit.
     */
    public Figure<Duration> scriptStartupTime(long jobId) {
        return Figure.reportedOrUnknown(startupTimes.get(jobId));
    }

    /** Ends the invocation threads; shuts down the HTTP client if the executor created it. Idempotent. */
    @Override
    public void close() {
        workerTransport.close();
        apiTransport.close();
    }

    private CloudflareCredentials credentialsNow() {
        CloudflareCredentials c = settings.credentials().get();
        if (c == null) {
            throw new AccessDeniedException("the Cloudflare credentials supplier gave no credentials",
                    ErrorContext.of(PROVIDER));
        }
        return c;
    }

    private String randomSecret() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private FunctionPackage.WorkerModules check(FunctionPackage pkg, FaasConfig config, ErrorContext ctx) {
        if (!(pkg instanceof FunctionPackage.WorkerModules modules)) {
            throw new InvalidRequestException("Cloudflare Workers runs " + supportedPackageKinds() + " packages, not "
                    + pkg.kind(), ctx);
        }
        List<String> violations = new ArrayList<>();
        for (WorkerModule m : modules.modules()) {
            if (m.name().equals(WrapperModule.NAME)) {
                violations.add("the module name " + WrapperModule.NAME + " is reserved for the faasx wrapper");
            }
        }
        if (modules.mainModule().isEmpty() || modules.modules().stream().noneMatch(m -> m.name().equals(
                modules.mainModule()) && m.type() == WorkerModule.Type.ES_MODULE)) {
            violations.add("the main module " + modules.mainModule() + " must be a JavaScript ES module");
        }
        for (String name : config.envVars().keySet()) {
            if (RESERVED.contains(name)) {
                violations.add("the environment variable " + name + " is reserved for the faasx wrapper");
            }
        }
        violations.addAll(DeployOptions.violations(config));
        if (!violations.isEmpty()) {
            throw new InvalidRequestException("cannot deploy to Cloudflare Workers: " + String.join("; ", violations),
                    violations, ctx, null);
        }
        return modules;
    }

    private CompletableFuture<URI> workerUrl(String script, ErrorContext ctx) {
        if (settings.workerUrls() != null) {
            try {
                return CompletableFuture.completedFuture(directory(settings.workerUrls().apply(script)));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        String template = settings.workerUrlTemplate();
        if (!template.contains("{subdomain}")) {
            return CompletableFuture.completedFuture(directory(URI.create(template.replace("{script}", script))));
        }
        CompletableFuture<String> sub = subdomain.get();
        if (sub == null || sub.isCompletedExceptionally()) {
            CompletableFuture<String> fresh = api.accountSubdomain(ctx);
            sub = subdomain.compareAndSet(sub, fresh) ? fresh : subdomain.get();
        }
        return sub.thenApply(s -> directory(URI.create(template.replace("{script}", script)
                .replace("{subdomain}", s))));
    }

    /** The URL with a path ending in '/', so that the wrapper's paths resolve below it. */
    private static URI directory(URI url) {
        String path = url.getRawPath();
        if (path != null && path.endsWith("/")) {
            return url;
        }
        return URI.create(url.getScheme() + "://" + url.getRawAuthority() + (path == null ? "" : path) + "/"
                + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery()));
    }

    private static Optional<Instant> modifiedOn(JsonNode result) {
        String text = result.path("modified_on").asText("");
        try {
            return text.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private ErrorContext context(long jobId) {
        return ErrorContext.builder(PROVIDER).jobId(jobId).functionId(names.of(jobId)).build();
    }
}
