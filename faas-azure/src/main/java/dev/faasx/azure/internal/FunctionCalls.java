package dev.faasx.azure.internal;

import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Calls a job's function on its Functions host through core's {@link HttpTransport}: {@code POST /api/job} with the
 * function key in {@code x-functions-key} and the spec request (base64 payload) as the body; and reads the host's
 * status endpoint with the master key. Turns the answer into an {@link Invocation} with honest metrics or a typed
 * error.
 */
public final class FunctionCalls {
    /** The request header the host's invocation id comes back in (set by the faasx adapter). */
    public static final String INVOCATION_ID_HEADER = "X-Azure-Functions-InvocationId";
    /** Set on warm-up requests so that logs tell them from calls. */
    public static final String WARMUP_HEADER = "X-Faasx-Warmup";

    private final HttpTransport transport;
    private final SpecCodec codec;
    private final URI endpoint;

    /**
     * @param endpoint where to send function calls instead of {@code https://{app}.azurewebsites.net} (a local
     *                 emulator), naming the app's host in {@code X-Forwarded-Host}; null for Azure itself
     */
    public FunctionCalls(HttpTransport transport, SpecCodec codec, URI endpoint) {
        this.transport = transport;
        this.codec = codec;
        this.endpoint = endpoint;
    }

    /** The public address of the job's function. */
    public static URI functionUri(String app) {
        return URI.create("https://" + app + ".azurewebsites.net/api/" + AppNames.FUNCTION);
    }

    HttpRequest.Builder request(String app, String path) {
        String host = app + ".azurewebsites.net";
        URI uri = endpoint == null ? URI.create("https://" + host + path)
                : URI.create(endpoint.toString().replaceAll("/+$", "") + path);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri);
        if (endpoint != null) {
            b.header("X-Forwarded-Host", host);
        }
        return b;
    }

    /**
     * Invokes the function. {@code timeout} is the function's own timeout: the client waits a little longer, and a
     * server error that arrives after the timeout has passed is the host ending the call for running too long.
     */
    public CompletableFuture<Invocation> invoke(String app, String key, JobCall call, Duration timeout,
                                                ErrorContext ctx) {
        byte[] body = codec.encodeRequest(InvokeRequest.from(call), PayloadEncoding.BASE64);
        HttpRequest.Builder request = request(app, "/api/" + AppNames.FUNCTION)
                .header("x-functions-key", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        Duration wait = timeout.plusSeconds(10);
        long start = System.nanoTime();
        return transport.sendInvocation(request, wait, ctx, "invoke").thenApply(reply -> {
            Duration total = Duration.ofNanos(System.nanoTime() - start);
            String invocationId = reply.headers().firstValue(INVOCATION_ID_HEADER).orElse(null);
            ErrorContext c = invocationId == null ? ctx.toBuilder().status(reply.status()).build()
                    : ctx.toBuilder().status(reply.status()).requestId(invocationId).build();
            if (reply.status() != 200) {
                throw new CompletionException(statusError(reply, total, timeout, c));
            }
            InvokeResponse response = codec.decodeResponse(reply.body(), c);
            if (!response.success()) {
                throw new CompletionException(SpecErrors.functionError(response, c));
            }
            if (response.jobId() != call.jobId()) {
                throw new CompletionException(new ProtocolException("the function answered for job "
                        + response.jobId() + " instead of job " + call.jobId(), c));
            }
            InvocationMetrics metrics = InvocationMetrics.builder()
                    .totalDuration(Figure.measured(total))
                    .executionDuration(Figure.reportedByFunctionOrUnknown(response.executionDuration().orElse(null)))
                    .coldStart(Figure.reportedByFunctionOrUnknown(response.coldStart().orElse(null)))
                    .initDuration(Figure.reportedByFunctionOrUnknown(response.initDuration().orElse(null)))
                    .requestId(invocationId)
                    .build();
            return new Invocation(response.toJobOutput(), metrics);
        });
    }

    private static FaasException statusError(HttpTransport.Reply reply, Duration total, Duration timeout,
                                             ErrorContext c) {
        int status = reply.status();
        return switch (status) {
            case 401 -> new AccessDeniedException("the Functions host refused the function key (401)", c);
            case 403 -> new AccessDeniedException("the Functions host refused the call (403): the function app"
                    + " may be stopped or its access restricted", c);
            case 404 -> new FunctionNotFoundException("the function app has no function at /api/"
                    + AppNames.FUNCTION + " (404): deploy the job first", c);
            case 413 -> new dev.faasx.core.InvalidRequestException("the call is larger than the Functions host"
                    + " accepts (413)", c);
            case 429 -> new ThrottledException("the Functions host is throttling calls (429)",
                    AzureErrors.retryAfter(reply.headers().firstValue("Retry-After").orElse(null)), c, null);
            default -> {
                if (status >= 500 && total.compareTo(timeout) >= 0) {
                    yield new FaasTimeoutException("the function ran longer than its timeout of " + timeout
                            + " and the host ended it (status " + status + ")", timeout, c);
                }
                if (status == 503) {
                    yield new ThrottledException("the Functions host is not available (503)",
                            AzureErrors.retryAfter(reply.headers().firstValue("Retry-After").orElse(null)), c, null);
                }
                yield new ProviderException("the Functions host answered " + status, status == 502 || status == 504,
                        true, c);
            }
        };
    }

    /** {@code GET /admin/host/status} with the master key; completes with the host's state, e.g. "Running". */
    public CompletableFuture<HttpTransport.Reply> hostStatus(String app, String masterKey, boolean warmUp,
                                                             ErrorContext ctx) {
        HttpRequest.Builder request = request(app, "/admin/host/status").header("x-functions-key", masterKey).GET();
        if (warmUp) {
            request.header(WARMUP_HEADER, "true");
        }
        return transport.send(request, Duration.ofSeconds(60), ctx, warmUp ? "warm" : "health check");
    }
}
