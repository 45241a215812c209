package dev.faasx.http;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.ProviderException;
import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.internal.Checks;
import dev.faasx.core.internal.http.HeaderRules;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.http.internal.BuilderChecks;
import dev.faasx.http.internal.FunctionIds;
import dev.faasx.http.internal.Replies;
import dev.faasx.http.internal.Routes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client of the faasx Custom FaaS Platform specification ({@code docs/custom-faas-platform-spec.md}): deploys,
 * invokes, checks, warms and removes functions on any platform that speaks the spec, including plain v1
 * platforms that know none of its extensions.
 *
 * <p>Each job id maps to a function id ({@code job{id}} unless configured) under the platform's base URI; a job can
 * also be invoked at an endpoint URL of its own. Every remote failure completes the returned future with a typed
 * {@link FaasException}: a function that answers {@code success:false} is a
 * {@link dev.faasx.core.FunctionErrorException} whatever the status code, a missing function a
 * {@link dev.faasx.core.FunctionNotFoundException}, an overloaded platform a
 * {@link dev.faasx.core.ThrottledException} carrying its {@code Retry-After}, a body that is not valid JSON or was
 * cut off a {@link dev.faasx.core.ProtocolException}, and a connection that could not be made a retryable
 * {@link ProviderException} that says the function did not run.
 *
 * <p>Built on the JDK {@link HttpClient}: connections are kept and reused, and no caller thread waits for the
 * network. Invocations are sent with the client's blocking {@code send()} on up to
 * {@link Builder#invocationThreads(int) 64} daemon threads of the executor's own (which answers sooner than
 * {@code sendAsync}: see that setting); the other operations use {@code sendAsync}. Metrics: the client measures each call's total duration; execution time,
 * memory, cold start and init time are what the platform reported, and unknown when it did not.
 *
 * <p>Thread-safe; share one instance across jobs. {@link #close()} ends its threads and releases the HTTP client it
 * owns (an injected client is left to its owner).
 *
 * <pre>{@code
 * try (HttpFaasExecutor faas = HttpFaasExecutor.builder(URI.create("https://faas.example.com"))
 *         .bearerToken(System.getenv("FAAS_TOKEN"))
 *         .build()) {
 *     faas.deploy(7, FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"), FaasConfig.defaults()).join();
 *     JobOutput out = faas.invoke(JobCall.of(7, "hi".getBytes(UTF_8))).join();
 * }
 * }</pre>
 */
public final class HttpFaasExecutor implements FaasExecutor {
    /** The provider name this executor reports: {@value}. */
    public static final String PROVIDER = "custom-http";
    /** The {@link FaasConfig#providerOptions()} key that selects {@code worker_mode}: {@value}. */
    public static final String WORKER_MODE_OPTION = DeployConfig.WORKER_MODE_OPTION;
    /** How many invocations are sent on the executor's own threads at once by default: {@value}. */
    public static final int DEFAULT_INVOCATION_THREADS = 64;

    private static final Logger log = LoggerFactory.getLogger(HttpFaasExecutor.class);
    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration DEFAULT_INVOKE_TIMEOUT_MARGIN = Duration.ofSeconds(10);
    private static final Duration DEFAULT_INVOKE_TIMEOUT = FaasConfig.MAX_TIMEOUT.plus(DEFAULT_INVOKE_TIMEOUT_MARGIN);
    private static final long DEFAULT_MAX_RESPONSE_BYTES = 64L * 1024 * 1024;

    private final URI baseUri;
    private final Routes routes;
    private final Duration requestTimeout;
    private final PayloadEncoding payloadEncoding;
    private final boolean replaceExisting;
    private final HttpTransport client;
    private final Replies replies = new Replies(PROVIDER);
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpFaasExecutor(Builder b, HttpClient httpClient, boolean ownsClient) {
        this.baseUri = b.baseUri;
        this.routes = new Routes(b.baseUri, new FunctionIds(b.functionIdsByJob, b.functionIdMapping, PROVIDER),
                b.jobEndpoints, b.invokeTimeout, b.invokeTimeoutMargin);
        this.requestTimeout = b.requestTimeout;
        this.payloadEncoding = b.payloadEncoding;
        this.replaceExisting = b.replaceExisting;
        HttpTransport.Builder transport = HttpTransport.builder(PROVIDER)
                .maxResponseBytes(b.maxResponseBytes).invocationThreads(b.invocationThreads);
        if (ownsClient) {
            transport.ownedClient(httpClient);
        } else {
            transport.client(httpClient);
        }
        b.headers.forEach(transport::header);
        if (b.bearerToken != null) {
            Supplier<String> tokens = b.bearerToken;
            transport.authHeaders(() -> {
                String token = tokens.get();
                return token == null || token.isEmpty() ? Map.of() : Map.of("Authorization", "Bearer " + token);
            });
        }
        this.client = transport.build();
    }

    /**
     * A builder for an executor that talks to the platform at {@code baseUri}, for example
     * {@code http://127.0.0.1:8080} or {@code https://faas.example.com/prefix}.
     *
     * @throws IllegalArgumentException when the URI is not an absolute http(s) URI without credentials, query or
     *                                 fragment
     */
    public static Builder builder(URI baseUri) {
        return new Builder(baseUri);
    }

    /** An executor with default settings for the platform at {@code baseUri}. */
    public static HttpFaasExecutor create(URI baseUri) {
        return builder(baseUri).build();
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of(PackageKind.NATIVE_BOOTSTRAP);
    }

    /**
     * The function id job {@code jobId} maps to.
     *
     * @throws InvalidRequestException when the configured mapping gives an id the spec does not allow
     */
    public String functionId(long jobId) {
        return routes.functionId(jobId);
    }

    /** The URL invocations of {@code jobId} are POSTed to. */
    public URI invokeUri(long jobId) {
        return routes.invoke(jobId);
    }

    /**
     * How long an invocation of {@code jobId} is waited for: the function's timeout plus the margin when this
     * executor knows the timeout (it deployed or described the function), else the configured invoke timeout.
     */
    public Duration invokeTimeout(long jobId) {
        return routes.invokeTimeout(routes.functionId(jobId));
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        Objects.requireNonNull(call, "call");
        long start = System.nanoTime();
        return operation(call.jobId(), "invoke", (fn, ctx) -> {
            Duration timeout = routes.invokeTimeout(fn);
            byte[] json = replies.encode(InvokeRequest.from(call), payloadEncoding, ctx);
            HttpRequest.Builder http = HttpRequest.newBuilder(routes.invoke(call.jobId()))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json));
            return client.sendInvocation(http, timeout, ctx, "invoke of " + fn).thenApply(reply -> {
                Invocation invocation = replies.invocation(reply, call, ctx, timeout, start);
                if (log.isDebugEnabled()) {
                    log.debug("invoked job {} as {}: status {}, {} bytes in, {} bytes out, {}", call.jobId(), fn,
                            reply.status(), call.bodyLength(), invocation.output().bodyLength(),
                            invocation.metrics().totalDuration());
                }
                return invocation;
            });
        });
    }

    /**
     * Deploys (creates or replaces) the function of {@code jobId}. The package must be a
     * {@link FunctionPackage.NativeZip}; the config becomes the {@code X-Blueprint-Config} header, with the provider
     * option {@value #WORKER_MODE_OPTION} ({@code "process"} or {@code "persistent"}) as {@code worker_mode}. When
     * the function exists and the builder's {@link Builder#replaceExisting(boolean)} is on (the default), it is
     * replaced with {@code ?overwrite=true}; on a v1 platform that does not know that parameter, by undeploying and
     * deploying again.
     */
    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        Objects.requireNonNull(functionPackage, "functionPackage");
        Objects.requireNonNull(config, "config");
        return operation(jobId, "deploy", (fn, ctx) -> {
            if (!(functionPackage instanceof FunctionPackage.NativeZip zip)) {
                throw new InvalidRequestException(PROVIDER + " runs only " + PackageKind.NATIVE_BOOTSTRAP
                        + " packages (a zip with an executable bootstrap at its root), not "
                        + functionPackage.kind() + "; build one with FunctionPackage.bootstrapZip()", ctx);
            }
            String header = replies.configHeader(config, ctx);
            byte[] body = zip.zip();
            return put(fn, body, header, false, ctx)
                    .thenCompose(reply -> reply.status() == 409 && replaceExisting
                            ? overwrite(fn, body, header, ctx) : CompletableFuture.completedFuture(reply))
                    .thenApply(reply -> {
                        FaasDeployment deployment = replies.deployed(reply, jobId, routes.invoke(jobId), config,
                                body.length, ctx);
                        routes.rememberTimeout(fn, deployment.timeout().orElse(config.timeout()));
                        log.debug("deployed job {} as {} ({} bytes)", jobId, fn, body.length);
                        return deployment;
                    });
        });
    }

    private CompletableFuture<HttpTransport.Reply> overwrite(String fn, byte[] zip, String header, ErrorContext ctx) {
        log.debug("function {} exists; deploying again with overwrite=true", fn);
        return put(fn, zip, header, true, ctx).thenCompose(reply -> {
            if (reply.status() != 409) {
                return CompletableFuture.completedFuture(reply);
            }
            // A v1 platform ignores overwrite=true. Remove and create instead; not atomic, so say so.
            log.info("the platform at {} does not support overwrite=true; replacing {} by undeploy and deploy",
                    baseUri, fn);
            return client.send(HttpRequest.newBuilder(routes.function(fn, "")).DELETE(), requestTimeout, ctx,
                    "undeploy of " + fn + " before redeploying it").thenCompose(deleted -> {
                        replies.requireDeleted(deleted, ctx);
                        return put(fn, zip, header, false, ctx);
                    });
        });
    }

    private CompletableFuture<HttpTransport.Reply> put(String fn, byte[] zip, String header, boolean overwrite,
                                                    ErrorContext ctx) {
        HttpRequest.Builder http = HttpRequest.newBuilder(routes.function(fn, overwrite ? "?overwrite=true" : ""))
                .header("Content-Type", "application/zip")
                .header(DeployConfig.HEADER, header)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(zip));
        return client.send(http, requestTimeout, ctx, "deploy of " + fn);
    }

    /**
     * Asks the platform whether the job's function can run: healthy on 200, unhealthy (with the platform's reason)
     * on 503 {@code "status":"unhealthy"}. A function that is not deployed fails with
     * {@link dev.faasx.core.FunctionNotFoundException}.
     */
    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return operation(jobId, "health check", (fn, ctx) ->
                client.send(HttpRequest.newBuilder(routes.function(fn, "/health")).GET(), requestTimeout, ctx,
                        "health check of " + fn).thenApply(reply -> replies.health(reply, ctx)));
    }

    /**
     * Asks the platform to start instances now. Completes when the platform answers; a platform that does not
     * implement warming (404 without {@code FUNCTION_NOT_FOUND}, 405, 501) counts as done.
     */
    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return operation(jobId, "warm", (fn, ctx) ->
                client.send(HttpRequest.newBuilder(routes.function(fn, "/warm"))
                                .POST(HttpRequest.BodyPublishers.noBody()), requestTimeout, ctx, "warm of " + fn)
                        .thenApply(reply -> {
                            replies.warmed(reply, ctx);
                            return null;
                        }));
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return operation(jobId, "describe", (fn, ctx) ->
                client.send(HttpRequest.newBuilder(routes.function(fn, "")).GET(), requestTimeout, ctx,
                        "describe of " + fn).thenApply(reply -> {
                            FaasDeployment deployment = replies.described(reply, jobId, routes.invoke(jobId), ctx);
                            deployment.timeout().ifPresent(t -> routes.rememberTimeout(fn, t));
                            return deployment;
                        }));
    }

    /** Removes the job's function; a function that does not exist (404) counts as removed. */
    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        return operation(jobId, "undeploy", (fn, ctx) ->
                client.send(HttpRequest.newBuilder(routes.function(fn, "")).DELETE(), requestTimeout, ctx,
                        "undeploy of " + fn).thenApply(reply -> {
                            replies.requireDeleted(reply, ctx);
                            routes.forget(fn);
                            return null;
                        }));
    }

    /**
     * Ends the invocation threads and releases the HTTP client when this executor created it: on JDK 21 and later it
     * is shut down; on JDK 17 its threads end once it is unreachable. Calls in flight finish; later operations fail
     * without being sent. Idempotent.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "HttpFaasExecutor[" + baseUri + "]";
    }

    /** Resolves the function id and context, and turns failures before sending into a failed future. */
    private <T> CompletableFuture<T> operation(long jobId, String what, Operation<T> body) {
        ErrorContext ctx = ErrorContext.of(PROVIDER, jobId);
        if (closed.get()) {
            return CompletableFuture.failedFuture(new ProviderException(
                    "the executor is closed; " + what + " was not sent", false, false, ctx));
        }
        try {
            String fn = routes.functionId(jobId);
            return body.start(fn, ctx.toBuilder().functionId(fn).build());
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new ProviderException(
                    what + " failed before anything was sent: " + e, false, false, ctx, e));
        }
    }

    @FunctionalInterface
    private interface Operation<T> {
        CompletableFuture<T> start(String functionId, ErrorContext context);
    }

    /**
     * Builds an {@link HttpFaasExecutor}. Every setting is checked when it is set, so a mistake fails at
     * configuration time with an {@link IllegalArgumentException} that names it. Not thread-safe.
     *
     * <pre>{@code
     * HttpFaasExecutor faas = HttpFaasExecutor.builder(URI.create("https://faas.example.com"))
     *     .bearerToken(token)
     *     .header("X-Tenant", "blue")
     *     .functionIds(jobId -> "orders-" + jobId)
     *     .jobEndpoint(9, URI.create("https://edge.example.com/api/functions/resize/invoke"))
     *     .sslContext(mtlsContext)
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private final URI baseUri;
        private final Map<Long, String> functionIdsByJob = new HashMap<>();
        private LongFunction<String> functionIdMapping = FunctionIds::defaultId;
        private final Map<Long, URI> jobEndpoints = new HashMap<>();
        private Supplier<String> bearerToken;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private SSLContext sslContext;
        private Duration connectTimeout;
        private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
        private Duration invokeTimeout = DEFAULT_INVOKE_TIMEOUT;
        private Duration invokeTimeoutMargin = DEFAULT_INVOKE_TIMEOUT_MARGIN;
        private PayloadEncoding payloadEncoding = PayloadEncoding.BYTE_ARRAY;
        private boolean replaceExisting = true;
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private int invocationThreads = DEFAULT_INVOCATION_THREADS;
        private HttpClient httpClient;

        private Builder(URI baseUri) {
            this.baseUri = BuilderChecks.baseUri(baseUri, PROVIDER);
        }

        /**
         * How job ids map to function ids when no {@link #functionId(long, String) explicit id} is set; the default
         * is {@code "job" + jobId}. It is asked once per job id (the answer is remembered), so it should be a pure
         * function. Each id it gives is checked against {@code [A-Za-z0-9][A-Za-z0-9_-]{0,62}} when first used;
         * an invalid one fails that operation with an {@link InvalidRequestException}.
         */
        public Builder functionIds(LongFunction<String> mapping) {
            this.functionIdMapping = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /** The function id of one job, checked now against {@code [A-Za-z0-9][A-Za-z0-9_-]{0,62}}. */
        public Builder functionId(long jobId, String functionId) {
            try {
                FunctionIds.check(functionId, ErrorContext.of(PROVIDER, jobId));
            } catch (InvalidRequestException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
            functionIdsByJob.put(jobId, functionId);
            return this;
        }

        /**
         * The URL to POST invocations of {@code jobId} to, instead of {@code {base}/api/functions/{id}/invoke}:
         * for a function served elsewhere (another platform, a gateway). Deploy, health, warm and undeploy of the
         * job still go to the base URI.
         */
        public Builder jobEndpoint(long jobId, URI invokeUri) {
            jobEndpoints.put(jobId, BuilderChecks.endpoint(invokeUri, jobId, PROVIDER));
            return this;
        }

        /** A static bearer token sent as {@code Authorization: Bearer <token>} on every request; never logged. */
        public Builder bearerToken(String token) {
            BuilderChecks.token(token, PROVIDER);
            this.bearerToken = () -> token;
            return this;
        }

        /**
         * A source of bearer tokens, asked once per request (for OAuth 2.0 access tokens that expire); it should
         * return a cached token quickly and never block on the network.
         */
        public Builder bearerToken(Supplier<String> tokens) {
            this.bearerToken = Objects.requireNonNull(tokens, "tokens");
            return this;
        }

        /**
         * A header sent with every request, for example an API gateway's key. Names must be HTTP tokens, values
         * must not contain CR, LF or other control characters; {@code Authorization}, {@code Content-Type},
         * {@code X-Blueprint-Config} and the headers the HTTP client manages are refused.
         */
        public Builder header(String name, String value) {
            HeaderRules.checkExtraHeader(PROVIDER, name, value);
            headers.put(name, value);
            return this;
        }

        /** The TLS context for an {@code https} platform: its trust store, and a client key for mutual TLS. */
        public Builder sslContext(SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** How long to wait for a connection; default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the answer to deploy, describe, health, warm and undeploy; default 2 minutes. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Checks.positive(timeout, "requestTimeout");
            return this;
        }

        /**
         * How long to wait for an invocation of a function whose timeout this executor does not know; default
         * the spec's longest timeout (900 s) plus the margin.
         */
        public Builder invokeTimeout(Duration timeout) {
            this.invokeTimeout = Checks.positive(timeout, "invokeTimeout");
            return this;
        }

        /** What is added to a function's known timeout to wait for its invocation; default 10 s. */
        public Builder invokeTimeoutMargin(Duration margin) {
            this.invokeTimeoutMargin = Checks.notNegative(margin, "invokeTimeoutMargin");
            return this;
        }

        /**
         * How invocation payloads travel. {@link PayloadEncoding#BASE64} is a faasx extension, about three times
         * smaller on the wire; choose it only for platforms that support it (the reference server does). Default
         * {@link PayloadEncoding#BYTE_ARRAY}, which every v1 platform understands.
         */
        public Builder payloadEncoding(PayloadEncoding encoding) {
            this.payloadEncoding = Objects.requireNonNull(encoding, "encoding");
            return this;
        }

        /**
         * Whether deploy replaces a function that already exists (the default, since {@link #deploy} means create
         * or replace). When off, deploying an existing function fails with a {@link dev.faasx.core.ConflictException}.
         */
        public Builder replaceExisting(boolean replace) {
            this.replaceExisting = replace;
            return this;
        }

        /** The largest response body accepted, in bytes; default 64 MiB. Larger answers fail as protocol errors. */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 1024, was " + bytes);
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * How many invocations may be sent at once on threads the executor owns (default
         * {@value HttpFaasExecutor#DEFAULT_INVOCATION_THREADS}). Such an invocation is a blocking
         * {@code HttpClient.send} on a thread that is already running, which answers sooner than {@code sendAsync}
         * (whose completion goes through {@code CompletableFuture}'s default pool: a new thread per call on machines
         * with fewer than three CPUs). Invocations beyond the limit use {@code sendAsync} and hold no thread; 0 sends
         * every invocation that way. Idle threads end after 30 seconds; {@link HttpFaasExecutor#close()} ends them.
         */
        public Builder invocationThreads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("invocationThreads must be 0 or more, was " + threads);
            }
            this.invocationThreads = threads;
            return this;
        }

        /**
         * Uses {@code client} instead of creating one; its owner configures TLS and connect timeouts on it and
         * closes it. Without this, the executor creates an HTTP/1.1 client that keeps connections alive, follows
         * no redirects, and is shut down by {@link #close()}.
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * @throws IllegalArgumentException when TLS or connect settings are combined with an injected client
         */
        public HttpFaasExecutor build() {
            if (httpClient != null) {
                if (sslContext != null || connectTimeout != null) {
                    throw new IllegalArgumentException("sslContext and connectTimeout belong to the HTTP client: "
                            + "configure them on the injected HttpClient");
                }
                return new HttpFaasExecutor(this, httpClient, false);
            }
            BuilderChecks.warnOnCleartextToken(baseUri, bearerToken != null, log);
            HttpClient.Builder client = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(connectTimeout != null ? connectTimeout : DEFAULT_CONNECT_TIMEOUT);
            if (sslContext != null) {
                client.sslContext(sslContext);
            }
            return new HttpFaasExecutor(this, client.build(), true);
        }
    }
}
