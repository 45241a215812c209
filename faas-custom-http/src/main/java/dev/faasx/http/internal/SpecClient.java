package dev.faasx.http.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.ProviderException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
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
    private final HttpClient client;
    private final Supplier<String> token;
    private final Map<String, String> headers;
    private final long maxResponseBytes;
    private final String provider;

    /**
     * @param token supplies the bearer token per request; {@code null} for none
     */
    public SpecClient(HttpClient client, Supplier<String> token, Map<String, String> headers, long maxResponseBytes,
                      String provider) {
        this.client = client;
        this.token = token;
        this.headers = Map.copyOf(headers);
        this.maxResponseBytes = maxResponseBytes;
        this.provider = provider;
    }

    /** The raw answer: status, headers and body bytes. */
    public record Reply(int status, HttpHeaders headers, byte[] body) {
    }

    /**
     * Sends the request; the future fails with a {@code FaasException} (inside a {@link CompletionException}) when
     * no complete answer arrives.
     */
    public CompletableFuture<Reply> send(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                         String target) {
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
        return client.sendAsync(built, handler).handle((response, failure) -> {
            if (failure != null) {
                throw new CompletionException(
                        TransportFailures.map(failure, handler.statusIfReceived(), context, timeout, target));
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
