package dev.faasx.azure;

import com.azure.resourcemanager.appservice.fluent.models.HostKeysInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteInner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.faasx.azure.internal.AppNames;
import dev.faasx.azure.internal.FunctionAppPackage;
import dev.faasx.azure.internal.FunctionApps;
import dev.faasx.azure.internal.FunctionCalls;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ConflictException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.SpecCodec;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Runs faasx jobs on Azure Functions: each job is one Linux function app (consumption plan, custom handler) with
 * one HTTP-triggered function at {@code /api/job} behind a function key.
 *
 * <ul>
 *   <li><b>deploy</b> ensures the resource group, the executor's consumption plan and the function app (app
 *       settings from {@link FaasConfig#envVars()}), then deploys the package with Kudu's zip deploy and waits,
 *       bounded, for the deployment to finish. The zip holds {@code host.json} (the custom handler),
 *       {@code job/function.json} and the code: a shaded JAR with the {@link dev.faasx.core.JobHandler} and
 *       {@code faas-azure-function}, or a native {@code bootstrap} run by the adapter JAR given to
 *       {@link AzureFunctionsExecutorBuilder#adapterJar(byte[])}.</li>
 *   <li><b>invoke</b> POSTs the spec request to {@code https://{app}.azurewebsites.net/api/job} with the function
 *       key (from {@code host/default/listkeys}, cached) through core's HTTP transport. Metrics: the total duration
 *       measured here; execution time, cold start and init time as the faasx adapter in the function measured them
 *       ({@link dev.faasx.core.Provenance#REPORTED_BY_FUNCTION}); the host's invocation id as the request id.</li>
 *   <li><b>healthCheck</b> reads the app's state and the host's {@code /admin/host/status}; <b>warm</b> sends
 *       that status request marked as a warm-up (it starts the host and the handler; a consumption plan has no
 *       always-ready instances); <b>undeploy</b> deletes the function app it created.</li>
 * </ul>
 *
 * <pre>{@code
 * try (AzureFunctionsExecutor azure = AzureFunctionsExecutor.builder()
 *         .subscriptionId("…").resourceGroup("jobs").region("westeurope").build()) {
 *     azure.deploy(7, FunctionPackage.jar(shadedJar, "com.example.Resize"), FaasConfig.defaults()).join();
 *     Invocation result = azure.invokeWithMetrics(JobCall.of(7, input)).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance.
 */
public final class AzureFunctionsExecutor implements FaasExecutor {
    /** The provider name in results and errors. */
    public static final String PROVIDER = "azure-functions";
    /** Application settings the executor sets itself; {@link FaasConfig#envVars()} may not use them. */
    public static final Set<String> RESERVED_SETTINGS = Set.of("FUNCTIONS_WORKER_RUNTIME",
            "FUNCTIONS_EXTENSION_VERSION", "AzureWebJobsStorage", "FAASX_JOB_ID", "FAASX_TIMEOUT_SECONDS",
            "FAASX_HANDLER_THREADS", "FUNCTIONS_CUSTOMHANDLER_PORT");
    static final String TAG_JOB = "faasx-job-id";
    static final String TAG_TIMEOUT = "faasx-timeout-secs";
    static final String TAG_SIZE = "faasx-package-bytes";
    static final String TAG_DEPLOYED = "faasx-deployed-at";
    /** Memory of one instance on the consumption plan, fixed by Azure. */
    static final long CONSUMPTION_MEMORY_MB = 1536;

    private final FunctionApps apps;
    private final FunctionCalls calls;
    private final HttpTransport transport;
    private final ObjectMapper json = JsonMapper.builder().build();
    private final String prefix;
    private final String linuxFxVersion;
    private final byte[] adapterJar;
    private final String storageConnectionString;
    private final Duration deployTimeout;
    private final Duration pollInterval;
    private final ConcurrentMap<Long, AppKeys> keys = new ConcurrentHashMap<>();

    /** What invoking a job needs: its keys and its function timeout. */
    private record AppKeys(String functionKey, String masterKey, Duration timeout) {
    }

    AzureFunctionsExecutor(AzureFunctionsExecutorBuilder b, FunctionApps apps, HttpTransport transport,
                           String prefix) {
        this.apps = apps;
        this.transport = transport;
        this.calls = new FunctionCalls(transport, SpecCodec.create(), b.functionsEndpoint);
        this.prefix = prefix;
        this.linuxFxVersion = b.linuxFxVersion;
        this.adapterJar = b.adapterJar;
        this.storageConnectionString = b.storageConnectionString;
        this.deployTimeout = b.deployTimeout;
        this.pollInterval = b.pollInterval;
    }

    /** A builder; see {@link AzureFunctionsExecutorBuilder} for the settings and their defaults. */
    public static AzureFunctionsExecutorBuilder builder() {
        return new AzureFunctionsExecutorBuilder();
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return EnumSet.of(PackageKind.JAR, PackageKind.NATIVE_BOOTSTRAP);
    }

    /** The function app name used for {@code jobId}. */
    public String appName(long jobId) {
        return AppNames.app(prefix, jobId);
    }

    private ErrorContext context(long jobId) {
        return ErrorContext.builder(PROVIDER).jobId(jobId).functionId(appName(jobId)).build();
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        long jobId = call.jobId();
        ErrorContext ctx = context(jobId);
        return keys(jobId, ctx).thenCompose(k -> calls.invoke(appName(jobId), k.functionKey(), call, k.timeout(), ctx)
                .handle((invocation, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.completedFuture(invocation);
                    }
                    Throwable t = Throwables.unwrap(failure);
                    if (t instanceof AccessDeniedException denied && denied.status().orElse(0) == 401) {
                        // The key may have been rotated: fetch it again once (the function did not run).
                        keys.remove(jobId, k);
                        return keys(jobId, ctx).thenCompose(fresh -> calls.invoke(appName(jobId),
                                fresh.functionKey(), call, fresh.timeout(), ctx));
                    }
                    if (t instanceof FunctionNotFoundException) {
                        keys.remove(jobId);
                    }
                    return CompletableFuture.<Invocation>failedFuture(t);
                }).thenCompose(f -> f));
    }

    private CompletableFuture<AppKeys> keys(long jobId, ErrorContext ctx) {
        AppKeys cached = keys.get(jobId);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        String app = appName(jobId);
        return ownApp(jobId, ctx).thenCompose(site -> apps.hostKeys(app, ctx).thenApply(hostKeys -> {
            AppKeys k = appKeys(site, hostKeys, ctx);
            keys.put(jobId, k);
            return k;
        }));
    }

    private static AppKeys appKeys(SiteInner site, HostKeysInner hostKeys, ErrorContext ctx) {
        String key = hostKeys.functionKeys() == null ? null : hostKeys.functionKeys().get("default");
        if (key == null || key.isBlank()) {
            throw new AccessDeniedException("the function app has no default function key to call it with", ctx);
        }
        String timeout = site.tags() == null ? null : site.tags().get(TAG_TIMEOUT);
        Duration t = timeout != null && timeout.matches("[0-9]{1,4}") ? Duration.ofSeconds(Long.parseLong(timeout))
                : FaasConfig.DEFAULT_TIMEOUT;
        return new AppKeys(key, hostKeys.masterKey(), t);
    }

    /** The job's app; fails with FunctionNotFoundException when it does not exist or was not made for the job. */
    private CompletableFuture<SiteInner> ownApp(long jobId, ErrorContext ctx) {
        String app = appName(jobId);
        return apps.find(app, ctx).thenApply(site -> {
            if (site == null) {
                throw new FunctionNotFoundException("no function app " + app + " for job " + jobId
                        + " in resource group " + apps.resourceGroup() + ": deploy the job first", ctx);
            }
            if (!Long.toString(jobId).equals(site.tags() == null ? null : site.tags().get(TAG_JOB))) {
                throw new FunctionNotFoundException("the function app " + app + " was not deployed by faasx for job "
                        + jobId + " (its tag " + TAG_JOB + " says otherwise)", ctx);
            }
            return site;
        });
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        ErrorContext ctx = context(jobId);
        byte[] zip;
        try {
            zip = packageZip(functionPackage, config, ctx);
        } catch (InvalidRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
        Map<String, String> settings;
        try {
            settings = settings(jobId, config, ctx);
        } catch (InvalidRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
        String app = appName(jobId);
        Instant deployedAt = Instant.now();
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_JOB, Long.toString(jobId));
        tags.put(TAG_TIMEOUT, Long.toString(config.timeoutSeconds()));
        tags.put(TAG_SIZE, Long.toString(functionPackage.sizeBytes()));
        tags.put(TAG_DEPLOYED, deployedAt.toString());
        keys.remove(jobId);
        return apps.find(app, ctx).thenCompose(existing -> {
                    if (existing != null && !Long.toString(jobId).equals(
                            existing.tags() == null ? null : existing.tags().get(TAG_JOB))) {
                        throw new ConflictException("a function app named " + app + " exists but was not deployed by"
                                + " faasx for job " + jobId + "; choose another appNamePrefix", false, ctx);
                    }
                    return apps.ensureGroup(ctx);
                })
                .thenCompose(v -> apps.ensurePlan(AppNames.plan(prefix), ctx))
                .thenCompose(planId -> apps.putApp(app, planId, linuxFxVersion, settings, tags, ctx))
                .thenCompose(site -> apps.zipDeploy(app, zip, deployTimeout, pollInterval, ctx).thenApply(v -> site))
                .thenCompose(site -> apps.hostKeys(app, ctx).thenApply(hostKeys -> {
                    keys.put(jobId, appKeys(site, hostKeys, ctx));
                    return describe(jobId, tags);
                }));
    }

    private byte[] packageZip(FunctionPackage functionPackage, FaasConfig config, ErrorContext ctx) {
        Duration timeout = Duration.ofSeconds(config.timeoutSeconds());
        if (timeout.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new InvalidRequestException("the timeout " + config.timeout() + " is longer than the 10 minutes a"
                    + " consumption plan allows (HTTP calls are cut at 230 s in any case)", ctx);
        }
        if (functionPackage instanceof FunctionPackage.Jar jar) {
            List<String> problems = FunctionAppPackage.jarProblems(jar);
            if (!problems.isEmpty()) {
                throw new InvalidRequestException("the JAR cannot run on Azure Functions: "
                        + String.join("; ", problems), problems, ctx, null);
            }
            return FunctionAppPackage.forJar(jar, timeout, json);
        }
        if (functionPackage instanceof FunctionPackage.NativeZip nativeZip) {
            List<String> problems = FunctionAppPackage.nativeProblems(nativeZip);
            if (adapterJar == null) {
                problems.add("a native bootstrap runs behind the faasx adapter: give the executor its JAR with"
                        + " AzureFunctionsExecutor.builder().adapterJar(...) (a shaded faas-azure-function JAR)");
            }
            if (!problems.isEmpty()) {
                throw new InvalidRequestException("the native package cannot run on Azure Functions: "
                        + String.join("; ", problems), problems, ctx, null);
            }
            return FunctionAppPackage.forNative(nativeZip, adapterJar, timeout, json);
        }
        throw new InvalidRequestException("Azure Functions runs " + supportedPackageKinds()
                + " packages (a JAR with a JobHandler, or a native bootstrap), not " + functionPackage.kind(), ctx);
    }

    private Map<String, String> settings(long jobId, FaasConfig config, ErrorContext ctx) {
        List<String> clashes = config.envVars().keySet().stream()
                .filter(name -> RESERVED_SETTINGS.stream().anyMatch(r -> r.equalsIgnoreCase(name))).sorted().toList();
        if (!clashes.isEmpty()) {
            throw new InvalidRequestException("environment variables " + clashes + " are set by the executor itself;"
                    + " choose other names", ctx);
        }
        Map<String, String> settings = new LinkedHashMap<>(config.envVars());
        settings.put("FUNCTIONS_WORKER_RUNTIME", "custom");
        settings.put("FUNCTIONS_EXTENSION_VERSION", "~4");
        settings.put("FAASX_JOB_ID", Long.toString(jobId));
        settings.put("FAASX_TIMEOUT_SECONDS", Long.toString(config.timeoutSeconds()));
        settings.put("FAASX_HANDLER_THREADS", Integer.toString(config.maxConcurrency()));
        if (storageConnectionString != null) {
            settings.put("AzureWebJobsStorage", storageConnectionString);
        }
        return settings;
    }

    private FaasDeployment describe(long jobId, Map<String, String> tags) {
        FaasDeployment.Builder b = FaasDeployment.builder(appName(jobId), jobId, PROVIDER)
                .endpoint(FunctionCalls.functionUri(appName(jobId)))
                .memoryMb(CONSUMPTION_MEMORY_MB);
        String timeout = tags.get(TAG_TIMEOUT);
        if (timeout != null && timeout.matches("[0-9]{1,4}")) {
            b.timeout(Duration.ofSeconds(Long.parseLong(timeout)));
        }
        String size = tags.get(TAG_SIZE);
        if (size != null && size.matches("[0-9]{1,12}")) {
            b.packageSizeBytes(Long.parseLong(size));
        }
        String at = tags.get(TAG_DEPLOYED);
        if (at != null) {
            try {
                b.deployedAt(Instant.parse(at));
            } catch (java.time.format.DateTimeParseException e) {
                // A tag someone edited: the time stays unknown.
            }
        }
        return b.build();
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        ErrorContext ctx = context(jobId);
        return ownApp(jobId, ctx).thenCompose(site -> {
            if (site.state() != null && !site.state().equalsIgnoreCase("Running")) {
                return CompletableFuture.completedFuture(FaasHealth.failing("the function app is "
                        + site.state()));
            }
            return keys(jobId, ctx).thenCompose(k -> calls.hostStatus(appName(jobId), k.masterKey(), false, ctx))
                    .thenApply(reply -> {
                        String state = hostState(reply.body());
                        if (reply.status() == 200 && "Running".equalsIgnoreCase(state)) {
                            return FaasHealth.ok();
                        }
                        return FaasHealth.failing("the Functions host answered " + reply.status()
                                + (state == null ? "" : " with state " + state));
                    });
        });
    }

    private String hostState(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node == null ? null : node.path("state").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A consumption plan has no always-ready instances, so warming is a labelled warm-up request
     * ({@code X-Faasx-Warmup: true}) to the host's status endpoint, which starts the host and its custom handler
     * without running the job.
     */
    @Override
    public CompletableFuture<Void> warm(long jobId) {
        ErrorContext ctx = context(jobId);
        return keys(jobId, ctx).thenCompose(k -> calls.hostStatus(appName(jobId), k.masterKey(), true, ctx))
                .thenApply(reply -> {
                    if (reply.status() != 200 || !"Running".equalsIgnoreCase(hostState(reply.body()))) {
                        throw new CompletionException(new ProviderException("the warm-up request got status "
                                + reply.status() + " from the Functions host", reply.status() >= 500, false,
                                ctx.toBuilder().status(reply.status()).build()));
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        ErrorContext ctx = context(jobId);
        return ownApp(jobId, ctx).thenApply(site -> describe(jobId, site.tags()));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        ErrorContext ctx = context(jobId);
        String app = appName(jobId);
        keys.remove(jobId);
        return apps.find(app, ctx).thenCompose(site -> {
            if (site == null) {
                return CompletableFuture.completedFuture(null);
            }
            if (!Long.toString(jobId).equals(site.tags() == null ? null : site.tags().get(TAG_JOB))) {
                throw new ConflictException("the function app " + app + " was not deployed by faasx for job "
                        + jobId + "; it is left alone", false, ctx);
            }
            return apps.delete(app, ctx);
        }).whenComplete((v, e) -> keys.remove(jobId));
    }

    @Override
    public void close() {
        transport.close();
    }
}
