package dev.faasx.cloudflare.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.Figure;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Talks to a deployed Worker's wrapper over the shared {@link HttpTransport}: invocations (the spec's invoke JSON,
 * encoded and decoded with the shared {@link SpecCodec}, correlated by an {@code x-faasx-request-id} header) and
 * {@code GET /__faasx/health}. The wrapper's figures (execution time, first request of the isolate) are its own
 * measurements, so they are {@linkplain Figure#reportedByFunction reported by the function}, not by Cloudflare.
 */
public final class WorkerInvoker {
    public static final String REQUEST_ID = "x-faasx-request-id";
    public static final String SECRET = "x-faasx-secret";
    static final String HEALTH_PATH = "__faasx/health";
    /** Cloudflare's error code for a Worker stopped because it used more CPU time than its limit. */
    static final String CPU_LIMIT_CODE = "1102";

    private final HttpTransport transport;
    private final SpecCodec codec;
    private final ObjectMapper json;
    private final PayloadEncoding encoding;
    // Request ids: a random prefix per invoker and a counter, unique without a SecureRandom call per invocation.
    private final String idPrefix;
    private final AtomicLong idCounter = new AtomicLong();

    public WorkerInvoker(HttpTransport transport, SpecCodec codec, ObjectMapper json, PayloadEncoding encoding) {
        this.transport = transport;
        this.codec = codec;
        this.json = json;
        this.encoding = encoding;
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.idPrefix = HexFormat.of().formatHex(random) + "-";
    }

    /**
     * Invokes the Worker at {@code url}, sending {@code secret} (when not null) in {@value #SECRET}; the metrics hold
     * the client's round trip and the wrapper's own figures.
     */
    public CompletableFuture<Invocation> invoke(URI url, JobCall call, String secret, Duration timeout,
                                                ErrorContext base) {
        String requestId = idPrefix + Long.toHexString(idCounter.incrementAndGet());
        ErrorContext ctx = base.toBuilder().requestId(requestId).build();
        byte[] body = codec.encodeRequest(InvokeRequest.from(call), encoding);
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json").header(REQUEST_ID, requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header(SECRET, secret);
        }
        long started = System.nanoTime();
        return transport.sendInvocation(request, timeout, ctx, "invoke of " + base.functionId().orElse("the Worker"))
                .thenApply(reply -> answer(reply, call, Duration.ofNanos(System.nanoTime() - started), requestId,
                        ctx));
    }

    private Invocation answer(HttpTransport.Reply reply, JobCall call, Duration total, String requestId,
                              ErrorContext ctx) {
        int status = reply.status();
        if (status == 200) {
            InvokeResponse decoded = codec.decodeResponse(reply.body(), ctx);
            if (decoded.jobId() != call.jobId()) {
                throw new ProtocolException("the Worker answered for job " + decoded.jobId() + ", not " + call.jobId(),
                        true, ctx, null);
            }
            if (!decoded.success()) {
                throw SpecErrors.functionError(decoded, ctx);
            }
            InvocationMetrics metrics = functionMetrics(decoded).toBuilder()
                    .totalDuration(Figure.measured(total))
                    .requestId(reply.headers().firstValue(REQUEST_ID).orElse(requestId))
                    .build();
            return new Invocation(decoded.toJobOutput(), metrics);
        }
        if (status == 500) {
            Optional<InvokeResponse> failure = failureBody(reply.body(), ctx);
            if (failure.isPresent()) {
                throw SpecErrors.functionError(failure.get(), ctx);
            }
        }
        if (status == 503 && !isOverloaded(reply.body())) {
            throw stoppedByPlatform(reply.body(), ctx);
        }
        throw SpecErrors.toException(status, reply.body(), reply.headers().firstValue("Retry-After"), ctx);
    }

    /** The wrapper's figures: measured by faasx's code inside the Worker, never by Cloudflare's accounting. */
    static InvocationMetrics functionMetrics(InvokeResponse r) {
        return InvocationMetrics.builder()
                .executionDuration(Figure.reportedByFunctionOrUnknown(r.executionDuration().orElse(null)))
                .coldStart(Figure.reportedByFunctionOrUnknown(r.coldStart().orElse(null)))
                .initDuration(Figure.reportedByFunctionOrUnknown(r.initDuration().orElse(null)))
                .memoryUsedMb(Figure.reportedByFunctionOrUnknown(r.memoryUsedMb().isPresent()
                        ? r.memoryUsedMb().getAsLong() : null))
                .build();
    }

    /**
     * A 503 that is not the spec's "overloaded" answer comes from Cloudflare, not from the wrapper (which never
     * answers 503): most often error 1102, the Worker stopped for exceeding its CPU limit. The request had reached
     * the Worker, so the job may have run (in part): retried only for jobs marked idempotent.
     */
    static FaasException stoppedByPlatform(byte[] body, ErrorContext base) {
        String text = new String(body, 0, Math.min(body.length, 64 * 1024), StandardCharsets.UTF_8);
        boolean cpu = text.contains(CPU_LIMIT_CODE) || text.toLowerCase(Locale.ROOT).contains("exceeded");
        ErrorContext ctx = base.toBuilder().status(503).code(cpu ? CPU_LIMIT_CODE : "503").build();
        String reason = cpu
                ? "Cloudflare stopped the Worker: it exceeded its resource limits (error 1102, usually the CPU time"
                        + " limit, limits.cpu_ms); the job may have run in part"
                : "Cloudflare answered HTTP 503 for the Worker; the job may have run";
        return new ProviderException(reason, true, true, ctx);
    }

    private boolean isOverloaded(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            return node != null && ErrorCode.fromCode(node.path("code").asText()).filter(c -> c == ErrorCode.OVERLOADED).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<InvokeResponse> failureBody(byte[] body, ErrorContext ctx) {
        try {
            InvokeResponse r = codec.decodeResponse(body, ctx);
            return r.success() ? Optional.empty() : Optional.of(r);
        } catch (FaasException e) {
            return Optional.empty();
        }
    }

    /** {@code GET <url>/__faasx/health}; the answer whatever its status. */
    public CompletableFuture<HttpTransport.Reply> health(URI url, Duration timeout, ErrorContext ctx) {
        return transport.send(HttpRequest.newBuilder(url.resolve(HEALTH_PATH)).GET(), timeout, ctx, "health check");
    }

    /** The deployment id a health answer reports, if it is the wrapper's healthy answer. */
    public Optional<String> healthyDeployment(HttpTransport.Reply reply) {
        if (reply.status() != 200) {
            return Optional.empty();
        }
        try {
            JsonNode node = json.readTree(reply.body());
            if (node != null && "healthy".equals(node.path("status").asText())) {
                return Optional.of(node.path("deployment_id").asText(""));
            }
        } catch (IOException e) {
            // not the wrapper answering (for example an error page while the route is being set up)
        }
        return Optional.empty();
    }

    /**
     * Polls the health endpoint until the wrapper of {@code deploymentId} answers (so that a redeploy is not
     * mistaken for the version before it), backing off from 10 ms to 1 s, for at most {@code limit}.
     */
    public CompletableFuture<Duration> awaitReady(URI url, String deploymentId, Duration limit, ErrorContext ctx) {
        long started = System.nanoTime();
        return attempt(url, deploymentId, started, limit, 10, ctx);
    }

    private CompletableFuture<Duration> attempt(URI url, String deploymentId, long started, Duration limit,
                                                long delayMs, ErrorContext ctx) {
        Duration perTry = Duration.ofSeconds(10);
        return health(url, perTry, ctx).handle((reply, error) -> {
            if (reply != null && healthyDeployment(reply).filter(deploymentId::equals).isPresent()) {
                return CompletableFuture.completedFuture(Duration.ofNanos(System.nanoTime() - started));
            }
            String seen = error != null ? String.valueOf(error.getCause() != null ? error.getCause().getMessage()
                    : error.getMessage()) : "HTTP " + reply.status();
            if (System.nanoTime() - started > limit.toNanos()) {
                return CompletableFuture.<Duration>failedFuture(new ProviderException("the Worker did not answer on "
                        + url + " within " + limit + " (last: " + seen + ")", true, false, ctx));
            }
            return CompletableFuture.supplyAsync(() -> null,
                            CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS))
                    .thenCompose(x -> attempt(url, deploymentId, started, limit, Math.min(1000, delayMs * 2), ctx));
        }).thenCompose(f -> f);
    }
}
