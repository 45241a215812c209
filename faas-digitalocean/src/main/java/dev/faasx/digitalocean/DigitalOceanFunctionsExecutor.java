package dev.faasx.digitalocean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.digitalocean.internal.ActionSpec;
import dev.faasx.digitalocean.internal.Activations;
import dev.faasx.digitalocean.internal.ApiErrors;
import dev.faasx.digitalocean.internal.Namespaces;
import dev.faasx.digitalocean.internal.Namespaces.Namespace;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs jobs on DigitalOcean Functions: DigitalOcean's namespaces API to find (or create) the namespace, and the
 * Apache OpenWhisk REST API at the namespace's {@code api_host} for the actions, on core's HTTP transport and
 * Jackson (DigitalOcean has no Java SDK, and no Java runtime: what runs there is a native {@code bootstrap} or a
 * source bundle for a nodejs, python, go or php runtime).
 *
 * <ul>
 *   <li><b>Namespace</b>: the one labelled {@link DigitalOceanFunctionsExecutorBuilder#namespaceLabel(String)
 *       "faasx"} (or named by {@code namespace(...)}), created in the configured region when missing, within
 *       DigitalOcean's limit of 10 per account; its {@code api_host} and action credentials are cached.</li>
 *   <li><b>Deploy</b>: action {@code faasx-job-<id>} is created or replaced ({@code overwrite=true}). A native
 *       {@code bootstrap} zip becomes a {@code python:3.11} zip action whose generated {@code __main__.py} runs the
 *       bootstrap with the invoke request as JSON on stdin and returns its answer; a source bundle is deployed as
 *       is. Memory (128–1024 MB) and timeout (≤ 15 min) become the action's limits, environment variables its init
 *       parameters (OpenWhisk's environment of an action).</li>
 *   <li><b>Invoke</b>: a blocking POST; when the platform turns it into {@code 202} + activation id (DigitalOcean
 *       does after 30 s) the activation is polled, with back-off, until the job's timeout. The metrics come from
 *       the activation record, the provider's own accounting: execution duration, cold start ({@code initTime}
 *       present), init duration and memory limit, beside the client-measured total; {@link #activation(String)}
 *       reads a whole record (with {@code waitTime} and logs). Parameters over 1 MB are refused before sending.</li>
 *   <li><b>Errors</b>: an application error (the job failed) is a {@link dev.faasx.core.FunctionErrorException},
 *       an action developer error a {@code FunctionErrorException} typed {@code action developer error} (or a
 *       {@link FaasTimeoutException} when the platform ended it for its time limit), a whisk internal error a
 *       retryable {@link dev.faasx.core.ProviderException}, a 429 (600 invocations per minute per namespace) a
 *       {@link dev.faasx.core.ThrottledException} with the {@code Retry-After} delay.</li>
 * </ul>
 *
 * <pre>{@code
 * try (DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
 *         .token(System.getenv("DIGITALOCEAN_TOKEN"))
 *         .region("fra1")
 *         .build()) {
 *     executor.deploy(7, FunctionPackage.bootstrapBinary(nativeExecutable), FaasConfig.defaults()).join();
 *     Invocation inv = executor.invokeWithMetrics(JobCall.of(7, bytes)).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe; share one instance. Invocations are sent on the transport's own daemon threads;
 * {@link #close()} ends them (and shuts down an HTTP client the executor created).
 */
public final class DigitalOceanFunctionsExecutor implements FaasExecutor {
    /** The provider name, in results and errors. */
    public static final String PROVIDER = "digitalocean-functions";
    /** DigitalOcean's API. */
    public static final URI DEFAULT_API_BASE = URI.create("https://api.digitalocean.com");
    /** The largest invocation parameters (and result) DigitalOcean Functions accepts: 1 MB. */
    public static final long MAX_PAYLOAD_BYTES = 1024 * 1024;
    /** {@code FaasConfig} provider option: {@code process} (a bootstrap process per call) or {@code persistent}. */
    public static final String WORKER_MODE_OPTION = ActionSpec.WORKER_MODE_OPTION;
    private static final String WARM_BODY = "{\"faasx_warm\":true}";

    private final DigitalOceanFunctionsExecutorBuilder.Settings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final SpecCodec codec = SpecCodec.create();
    private final HttpTransport control;
    private final HttpTransport data;
    private final Namespaces namespaces;
    private final Activations activations;
    private final Map<Long, Duration> timeouts = new ConcurrentHashMap<>();

    DigitalOceanFunctionsExecutor(DigitalOceanFunctionsExecutorBuilder.Settings settings, HttpTransport control,
                                  HttpTransport data) {
        this.settings = settings;
        this.control = control;
        this.data = data;
        this.namespaces = new Namespaces(control, json, settings.apiBase(), settings.namespaceLabel(),
                settings.namespace(), settings.region(), settings.createNamespace(), settings.apiTimeout());
        this.activations = new Activations(json, codec);
    }

    /** A builder; the token defaults to the {@code DIGITALOCEAN_TOKEN} environment variable. */
    public static DigitalOceanFunctionsExecutorBuilder builder() {
        return new DigitalOceanFunctionsExecutorBuilder();
    }

    /** The OpenWhisk credentials the data transport sends: Basic {@code uuid:key} of the resolved namespace. */
    static Map<String, String> basicAuth(Namespaces namespaces) {
        return namespaces.authHeaders();
    }

    Namespaces namespaces() {
        return namespaces;
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of(PackageKind.NATIVE_BOOTSTRAP, PackageKind.SOURCE_BUNDLE);
    }

    /** The action name of a job, for example {@code faasx-job-7}. */
    public String actionName(long jobId) {
        return settings.actionPrefix() + jobId;
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        ErrorContext ctx = context(call.jobId());
        byte[] body;
        try {
            body = codec.encodeRequest(InvokeRequest.from(call), settings.encoding());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new InvalidRequestException("cannot encode the call: "
                    + e.getMessage(), ctx));
        }
        if (body.length > MAX_PAYLOAD_BYTES) {
            return CompletableFuture.failedFuture(new InvalidRequestException("the call's parameters are "
                    + body.length + " bytes once encoded; DigitalOcean Functions accepts at most 1 MB ("
                    + MAX_PAYLOAD_BYTES + " bytes) per invocation", ctx));
        }
        Duration timeout = timeouts.getOrDefault(call.jobId(), ActionSpec.MAX_TIMEOUT);
        long started = System.nanoTime();
        long deadline = started + timeout.plus(settings.answerMargin()).toNanos();
        // The request or poll in flight, so that cancelling the invocation aborts it.
        AtomicReference<CompletableFuture<?>> inFlight = new AtomicReference<>();
        Namespace cached = namespaces.cached();
        CompletableFuture<Invocation> invocation = cached != null
                ? send(cached, call, body, timeout, started, deadline, inFlight, ctx)
                : namespaces.get(ctx).thenCompose(ns -> send(ns, call, body, timeout, started, deadline, inFlight,
                        ctx));
        invocation.whenComplete((result, error) -> {
            CompletableFuture<?> pending = inFlight.get();
            if (invocation.isCancelled() && pending != null) {
                pending.cancel(true);
            }
        });
        return invocation;
    }

    private CompletableFuture<Invocation> send(Namespace ns, JobCall call, byte[] body, Duration timeout,
                                               long started, long deadline,
                                               AtomicReference<CompletableFuture<?>> inFlight, ErrorContext ctx) {
        HttpRequest.Builder request = HttpRequest.newBuilder(actionUri(ns, call.jobId(), "?blocking=true"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        CompletableFuture<HttpTransport.Reply> sent = data.sendInvocation(request,
                timeout.plus(settings.answerMargin()), ctx, "invoke");
        inFlight.set(sent);
        return sent.thenCompose(reply -> {
                    Activations.Scan scan = activationRecord(reply);
                    if (scan != null) {
                        return CompletableFuture.completedFuture(new Scanned(reply.body(), scan));
                    }
                    if (reply.status() == 202) {
                        String id = accepted(reply, ctx);
                        return poll(ns, id, deadline, settings.pollInterval().toMillis(), timeout,
                                ctx.toBuilder().requestId(id).build(), inFlight);
                    }
                    throw new CompletionException(ApiErrors.toException(reply, ctx, "invoking "
                            + actionName(call.jobId()) + " failed"));
                })
                .thenApply(record -> activations.toInvocation(record.body(), record.scan(), call,
                        Duration.ofNanos(System.nanoTime() - started), timeout, ctx));
    }

    /** Reads an activation record by id: the provider's figures (including {@code waitTime}) and its logs. */
    public CompletableFuture<Activation> activation(String activationId) {
        ErrorContext ctx = ErrorContext.builder(PROVIDER).requestId(activationId).build();
        if (!activationId.matches("[0-9a-fA-F]{32}")) {
            return CompletableFuture.failedFuture(new InvalidRequestException("not an activation id: "
                    + activationId, ctx));
        }
        return namespaces.get(ctx).thenCompose(ns -> data.send(HttpRequest.newBuilder(owUri(ns, "activations/"
                + activationId)).GET(), settings.apiTimeout(), ctx, "get activation")).thenApply(reply -> {
                    if (reply.status() != 200) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "reading activation "
                                + activationId + " failed"));
                    }
                    return activations.read(parse(reply.body(), ctx), ctx);
                });
    }

    /** An activation record's bytes and what a scan found in them. */
    private record Scanned(byte[] body, Activations.Scan scan) {
    }

    private CompletableFuture<Scanned> poll(Namespace ns, String id, long deadline, long delayMs, Duration timeout,
                                            ErrorContext ctx, AtomicReference<CompletableFuture<?>> inFlight) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(delayMs,
                TimeUnit.MILLISECONDS)).thenCompose(x -> {
                    CompletableFuture<HttpTransport.Reply> sent = data.send(HttpRequest.newBuilder(owUri(ns,
                            "activations/" + id)).GET(), settings.apiTimeout(), ctx, "poll activation");
                    inFlight.set(sent);
                    return sent;
                }).thenCompose(reply -> {
                    if (reply.status() == 200) {
                        Activations.Scan scan = activations.scan(reply.body());
                        if (scan == null) {
                            throw new CompletionException(new ProtocolException("DigitalOcean answered something"
                                    + " that is not an activation record for " + id, true, ctx, null));
                        }
                        return CompletableFuture.completedFuture(new Scanned(reply.body(), scan));
                    }
                    if (reply.status() != 404) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "polling activation " + id
                                + " failed"));
                    }
                    if (System.nanoTime() > deadline) {
                        throw new CompletionException(new FaasTimeoutException("activation " + id + " had no"
                                + " record within the job's timeout of " + timeout + " (plus "
                                + settings.answerMargin() + ")", timeout, ctx));
                    }
                    return poll(ns, id, deadline, Math.min(settings.maxPollInterval().toMillis(), delayMs * 2),
                            timeout, ctx, inFlight);
                });
    }

    private Activations.Scan activationRecord(HttpTransport.Reply reply) {
        if (reply.status() != 200 && reply.status() != 502 && reply.status() != 500) {
            return null;
        }
        return activations.scan(reply.body());
    }

    private String accepted(HttpTransport.Reply reply, ErrorContext ctx) {
        JsonNode n = parse(reply.body(), ctx);
        String id = n.path("activationId").asText("");
        if (!id.matches("[0-9a-fA-F]{32}")) {
            throw new CompletionException(new ProtocolException("DigitalOcean accepted the invocation without a"
                    + " valid activation id", true, ctx, null));
        }
        return id;
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        ErrorContext ctx = context(jobId);
        ObjectNode action;
        try {
            action = ActionSpec.build(json, jobId, functionPackage, config, ctx);
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(action);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new InvalidRequestException("cannot encode the action: "
                    + e.getMessage(), ctx));
        }
        long size = functionPackage.sizeBytes();
        return namespaces.get(ctx).thenCompose(ns -> data.send(HttpRequest.newBuilder(actionUri(ns, jobId,
                "?overwrite=true")).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)), settings.apiTimeout(), ctx, "deploy")
                .thenApply(reply -> {
                    if (reply.status() != 200) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "deploying "
                                + actionName(jobId) + " failed"));
                    }
                    timeouts.put(jobId, config.timeout());
                    return deployment(ns, jobId, parse(reply.body(), ctx)).packageSizeBytes(size).build();
                }));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        ErrorContext ctx = context(jobId);
        CompletableFuture<FaasDeployment> described = getDeployment(jobId);
        if (!settings.healthProbe()) {
            return described.thenApply(d -> FaasHealth.ok());
        }
        return described.thenCompose(d -> warmUp(jobId, ctx).handle((ok, e) -> e == null ? FaasHealth.ok()
                : FaasHealth.failing("the action exists, but a probe invocation failed: "
                + Throwables.unwrap(e).getMessage())));
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return warmUp(jobId, context(jobId));
    }

    /** A labelled warm-up invocation ({@code {"faasx_warm":true}}), which the bootstrap wrapper answers itself. */
    private CompletableFuture<Void> warmUp(long jobId, ErrorContext ctx) {
        Duration timeout = timeouts.getOrDefault(jobId, ActionSpec.MAX_TIMEOUT);
        return namespaces.get(ctx).thenCompose(ns -> data.sendInvocation(HttpRequest.newBuilder(actionUri(ns, jobId,
                "?blocking=true")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(WARM_BODY)), timeout.plus(settings.answerMargin()), ctx,
                "warm")).thenAccept(reply -> {
                    Activations.Scan scan = activationRecord(reply);
                    if (scan == null && reply.status() != 202) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "warming "
                                + actionName(jobId) + " failed"));
                    }
                    if (scan != null && scan.figures().statusCode() != 0) {
                        throw new CompletionException(new dev.faasx.core.FunctionErrorException("the warm-up"
                                + " invocation failed with activation status " + scan.figures().statusCode()
                                + " (activation " + scan.figures().activationId() + ")", ctx));
                    }
                });
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        ErrorContext ctx = context(jobId);
        return namespaces.get(ctx).thenCompose(ns -> data.send(HttpRequest.newBuilder(actionUri(ns, jobId,
                "?code=false")).GET(), settings.apiTimeout(), ctx, "get deployment").thenApply(reply -> {
                    if (reply.status() != 200) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "reading "
                                + actionName(jobId) + " failed"));
                    }
                    JsonNode action = parse(reply.body(), ctx);
                    long timeoutMs = action.path("limits").path("timeout").asLong(0);
                    if (timeoutMs > 0) {
                        timeouts.put(jobId, Duration.ofMillis(timeoutMs));
                    }
                    return deployment(ns, jobId, action).build();
                }));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        ErrorContext ctx = context(jobId);
        return namespaces.get(ctx).thenCompose(ns -> data.send(HttpRequest.newBuilder(actionUri(ns, jobId, ""))
                .DELETE(), settings.apiTimeout(), ctx, "undeploy").thenAccept(reply -> {
                    timeouts.remove(jobId);
                    if (reply.status() != 200 && reply.status() != 404) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "deleting "
                                + actionName(jobId) + " failed"));
                    }
                }));
    }

    /**
     * Deletes the executor's namespace and every action in it: for a namespace the executor created and no longer
     * needs (DigitalOcean allows 10 per account). A namespace that is already gone counts as deleted.
     */
    public CompletableFuture<Void> deleteNamespace() {
        timeouts.clear();
        return namespaces.delete(ErrorContext.of(PROVIDER));
    }

    /** The namespace's name ({@code fn-…}), looked up (or created) if need be. */
    public CompletableFuture<String> namespace() {
        return namespaces.get(ErrorContext.of(PROVIDER)).thenApply(Namespace::name);
    }

    @Override
    public void close() {
        control.close();
        data.close();
    }

    private FaasDeployment.Builder deployment(Namespace ns, long jobId, JsonNode action) {
        if (!action.isObject() || !action.path("name").isTextual()) {
            throw new CompletionException(new ProtocolException("DigitalOcean answered something that is not an"
                    + " action", false, context(jobId), null));
        }
        FaasDeployment.Builder b = FaasDeployment.builder(action.get("name").asText(), jobId, PROVIDER)
                .endpoint(actionUri(ns, jobId, ""));
        JsonNode limits = action.path("limits");
        if (limits.path("memory").canConvertToLong()) {
            b.memoryMb(limits.path("memory").asLong());
        }
        if (limits.path("timeout").canConvertToLong()) {
            b.timeout(Duration.ofMillis(limits.path("timeout").asLong()));
        }
        if (action.path("updated").canConvertToLong()) {
            b.deployedAt(Instant.ofEpochMilli(action.path("updated").asLong()));
        }
        return b;
    }

    private JsonNode parse(byte[] body, ErrorContext ctx) {
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CompletionException(new ProtocolException("DigitalOcean answered something that is not JSON: "
                    + e.getMessage(), true, ctx, e));
        }
    }

    private URI actionUri(Namespace ns, long jobId, String query) {
        return owUri(ns, "actions/" + actionName(jobId) + query);
    }

    private static URI owUri(Namespace ns, String path) {
        return URI.create(ns.apiHost() + "/api/v1/namespaces/_/" + path);
    }

    private ErrorContext context(long jobId) {
        return ErrorContext.builder(PROVIDER).jobId(jobId).functionId(actionName(jobId)).build();
    }
}
