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
import dev.faasx.core.internal.SendThreads;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Talks to a deployed Worker's wrapper: invocations (the spec's invoke JSON, encoded and decoded with the shared
 * {@link SpecCodec}, correlated by an {@code x-faasx-request-id} header) and {@code GET /__faasx/health}.
 */
public final class WorkerInvoker {
    public static final String REQUEST_ID = "x-faasx-request-id";
    public static final String SECRET = "x-faasx-secret";
    static final String HEALTH_PATH = "__faasx/health";

    private final HttpClient http;
    private final SendThreads sends;
    private final SpecCodec codec;
    private final ObjectMapper json;
    private final PayloadEncoding encoding;
    private final String secret;
    // Request ids: a random prefix per invoker and a counter, unique without a SecureRandom call per invocation.
    private final String idPrefix;
    private final AtomicLong idCounter = new AtomicLong();

    public WorkerInvoker(HttpClient http, SendThreads sends, SpecCodec codec, ObjectMapper json,
                         PayloadEncoding encoding, String secret) {
        this.http = http;
        this.sends = sends;
        this.codec = codec;
        this.json = json;
        this.encoding = encoding;
        this.secret = secret;
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        this.idPrefix = HexFormat.of().formatHex(random) + "-";
    }

    /** Invokes the Worker at {@code url}; the metrics hold the client's round trip and the wrapper's figures. */
    public CompletableFuture<Invocation> invoke(URI url, JobCall call, Duration timeout, ErrorContext base) {
        String requestId = idPrefix + Long.toHexString(idCounter.incrementAndGet());
        ErrorContext ctx = base.toBuilder().requestId(requestId).build();
        byte[] body = codec.encodeRequest(InvokeRequest.from(call), encoding);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json").header(REQUEST_ID, requestId)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (secret != null) {
            request.header(SECRET, secret);
        }
        long started = System.nanoTime();
        return sends.send(http, request.build(), HttpResponse.BodyHandlers.ofByteArray())
                .handle((response, error) -> {
                    Duration total = Duration.ofNanos(System.nanoTime() - started);
                    if (error != null) {
                        throw new CompletionException(CloudflareApi.transportFailure(error, url, ctx));
                    }
                    return answer(response, call, total, requestId, ctx);
                });
    }

    private Invocation answer(HttpResponse<byte[]> response, JobCall call, Duration total, String requestId,
                              ErrorContext ctx) {
        int status = response.statusCode();
        if (status == 200) {
            InvokeResponse decoded = codec.decodeResponse(response.body(), ctx);
            if (decoded.jobId() != call.jobId()) {
                throw new ProtocolException("the Worker answered for job " + decoded.jobId() + ", not " + call.jobId(),
                        true, ctx, null);
            }
            if (!decoded.success()) {
                throw SpecErrors.functionError(decoded, ctx);
            }
            InvocationMetrics metrics = decoded.reportedMetrics().toBuilder()
                    .totalDuration(Figure.measured(total))
                    .requestId(response.headers().firstValue(REQUEST_ID).orElse(requestId))
                    .build();
            return new Invocation(decoded.toJobOutput(), metrics);
        }
        if (status == 500) {
            Optional<InvokeResponse> failure = failureBody(response.body(), ctx);
            if (failure.isPresent()) {
                throw SpecErrors.functionError(failure.get(), ctx);
            }
        }
        FaasException e = SpecErrors.toException(status, response.body(), response.headers().firstValue("Retry-After"),
                ctx);
        throw e;
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
    public CompletableFuture<HttpResponse<byte[]>> health(URI url, Duration timeout, ErrorContext ctx) {
        URI health = url.resolve(HEALTH_PATH);
        HttpRequest request = HttpRequest.newBuilder(health).timeout(timeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .exceptionally(e -> {
                    throw new CompletionException(CloudflareApi.transportFailure(e, health, ctx));
                });
    }

    /** The deployment id a health answer reports, if it is the wrapper's healthy answer. */
    public Optional<String> healthyDeployment(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        try {
            JsonNode node = json.readTree(response.body());
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
        return health(url, perTry, ctx).handle((response, error) -> {
            if (response != null && healthyDeployment(response).filter(deploymentId::equals).isPresent()) {
                return CompletableFuture.completedFuture(Duration.ofNanos(System.nanoTime() - started));
            }
            String seen = error != null ? String.valueOf(error.getCause() != null ? error.getCause().getMessage()
                    : error.getMessage()) : "HTTP " + response.statusCode();
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
