package dev.faasx.http.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.SendThreads;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Sends one request of the spec and hands back the raw answer: adds the user's headers and the bearer token, sets
 * the timeout, caps the body, and turns transport failures into typed exceptions. It never reads or logs the
 * token or the bodies. Thread-safe.
 */
public final class SpecClient {
    private static final Duration BODY_GRACE = Duration.ofSeconds(5);

    private final HttpClient client;
    private final Supplier<String> token;
    private final Map<String, String> headers;
    private final long maxResponseBytes;
    private final String provider;
    private final StallGuard stallGuard = new StallGuard();
    private final SendThreads invocations;

    /**
     * @param token       supplies the bearer token per request; {@code null} for none
     * @param invocations the threads {@link #sendInvocation} sends on
     */
    public SpecClient(HttpClient client, Supplier<String> token, Map<String, String> headers, long maxResponseBytes,
                      String provider, SendThreads invocations) {
        this.client = client;
        this.invocations = invocations;
        this.token = token;
        this.headers = Map.copyOf(headers);
        this.maxResponseBytes = maxResponseBytes;
        this.provider = provider;
    }

    /** The raw answer: status, headers and body bytes. */
    public record Reply(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * Sends a management request with the JDK client's {@code sendAsync}; the future fails with a
     * {@code FaasException} (inside a {@link CompletionException}) when no complete answer arrives.
     */
    public CompletableFuture<Reply> send(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                         String target) {
        return send(request, timeout, context, target, null);
    }

    /** Sends an invocation on the invocation threads (see {@link SendThreads}); fails as {@link #send} does. */
    public CompletableFuture<Reply> sendInvocation(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                                   String target) {
        return send(request, timeout, context, target, invocations);
    }

    private CompletableFuture<Reply> send(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                          String target, SendThreads threads) {
        HttpRequest built;
        try {
            built = authorize(request, context).timeout(timeout).build();
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new ProviderException(
                    target + " failed before sending: " + e, false, false, context, e));
        }
        CappedBodyHandler handler = new CappedBodyHandler(maxResponseBytes);
        CompletableFuture<HttpResponse<byte[]>> exchange = threads == null ? client.sendAsync(built, handler)
                : threads.send(client, built, handler);
        CompletableFuture<HttpResponse<byte[]>> call = exchange.copy();
        // The request timeout covers the wait for the headers; this also bounds a body that stalls after them.
        stallGuard.watch(call, exchange, timeout.plus(timeout.compareTo(BODY_GRACE) < 0 ? timeout : BODY_GRACE)
                .toMillis());
        return call.handle((response, failure) -> {
            if (failure != null) {
                throw new CompletionException(TransportFailures.map(failure, handler.statusIfReceived(), context,
                        timeout, target));
            }
            return new Reply(response.statusCode(), response.headers(), response.body());
        });
    }

    private HttpRequest.Builder authorize(HttpRequest.Builder request, ErrorContext context) {
        headers.forEach(request::header);
        if (token != null) {
            String value = token.get();
            if (value == null || value.isEmpty()) {
                throw new ProviderException("the bearer token supplier gave no token", false, false, context);
            }
            HeaderRules.checkValue(provider, "the bearer token", value);
            request.header("Authorization", "Bearer " + value);
        }
        return request;
    }
}
