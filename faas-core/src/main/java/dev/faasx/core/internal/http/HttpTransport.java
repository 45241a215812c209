package dev.faasx.core.internal.http;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Checks;
import dev.faasx.core.internal.SendThreads;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The one HTTP transport of the JSON-over-HTTP executors (the spec's client, Cloudflare, DigitalOcean, Azure's
 * function calls): sends a request and hands back the raw answer. It adds the fixed headers and the per-request
 * authentication headers, sets the request timeout, caps the response body, bounds a body that stalls after its
 * headers, and turns every transport failure into a typed {@link FaasException} in which "could not connect" means
 * "did not run" (see {@link TransportFailures}). Invocations are sent on threads of its own ({@link SendThreads});
 * management calls with {@code sendAsync}. It never reads or logs credentials or bodies.
 *
 * <pre>{@code
 * HttpTransport transport = HttpTransport.builder("digitalocean")
 *         .connectTimeout(Duration.ofSeconds(5))
 *         .authHeaders(() -> Map.of("Authorization", "Basic " + credentials))
 *         .build();
 * transport.sendInvocation(HttpRequest.newBuilder(uri).POST(body), timeout, context, "invoke")
 *         .thenApply(reply -> reply.status());
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} ends the invocation threads and shuts down a client the transport created.
 */
public final class HttpTransport implements AutoCloseable {
    /** Default cap of a response body: 64 MiB. */
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 64L << 20;
    /** Default number of threads invocations are sent on. */
    public static final int DEFAULT_INVOCATION_THREADS = 64;

    private static final Duration BODY_GRACE = Duration.ofSeconds(5);

    private final HttpClient client;
    private final boolean ownsClient;
    private final Supplier<Map<String, String>> authHeaders;
    private final Map<String, String> headers;
    private final long maxResponseBytes;
    private final String provider;
    private final StallGuard stallGuard = new StallGuard();
    private final SendThreads invocations;
    private final AtomicBoolean closed = new AtomicBoolean();

    private HttpTransport(Builder b, HttpClient client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.authHeaders = b.authHeaders;
        this.headers = Map.copyOf(b.headers);
        this.maxResponseBytes = b.maxResponseBytes;
        this.provider = b.provider;
        this.invocations = new SendThreads("faasx-" + b.provider + "-send", b.invocationThreads);
    }

    /** A builder for a transport of {@code provider} (the name that error contexts and thread names carry). */
    public static Builder builder(String provider) {
        return new Builder(provider);
    }

    /** The raw answer: status, headers and body bytes (at most the configured cap). */
    public record Reply(int status, HttpHeaders headers, byte[] body) {
        public Reply {
            Objects.requireNonNull(headers, "headers");
            Objects.requireNonNull(body, "body");
        }
    }

    /** The JDK client this transport sends with. */
    public HttpClient client() {
        return client;
    }

    /**
     * Sends a management request with the JDK client's {@code sendAsync}; the future fails with a
     * {@code FaasException} (inside a {@link CompletionException}) when no complete answer arrives.
     *
     * @param target a few words for error messages, such as {@code "deploy"}
     */
    public CompletableFuture<Reply> send(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                         String target) {
        return send(request, timeout, context, target, false);
    }

    /** Sends an invocation on the transport's invocation threads (see {@link SendThreads}); fails as {@link #send}. */
    public CompletableFuture<Reply> sendInvocation(HttpRequest.Builder request, Duration timeout,
                                                   ErrorContext context, String target) {
        return send(request, timeout, context, target, true);
    }

    private CompletableFuture<Reply> send(HttpRequest.Builder request, Duration timeout, ErrorContext context,
                                          String target, boolean invocation) {
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
        CompletableFuture<HttpResponse<byte[]>> exchange = invocation ? invocations.send(client, built, handler)
                : client.sendAsync(built, handler);
        CompletableFuture<HttpResponse<byte[]>> call = exchange.copy();
        // The request timeout covers the wait for the headers; this also bounds a body that stalls after them.
        stallGuard.watch(call, exchange, timeout.plus(timeout.compareTo(BODY_GRACE) < 0 ? timeout : BODY_GRACE)
                .toMillis());
        CompletableFuture<Reply> reply = call.handle((response, failure) -> {
            if (failure != null) {
                throw new CompletionException(TransportFailures.map(failure, handler.statusIfReceived(), context,
                        timeout, target));
            }
            return new Reply(response.statusCode(), response.headers(), response.body());
        });
        // Cancelling the answer aborts the exchange (and interrupts a sending thread).
        reply.whenComplete((r, e) -> {
            if (reply.isCancelled()) {
                exchange.cancel(true);
            }
        });
        return reply;
    }

    private HttpRequest.Builder authorize(HttpRequest.Builder request, ErrorContext context) {
        headers.forEach(request::header);
        if (authHeaders != null) {
            Map<String, String> auth = authHeaders.get();
            if (auth == null || auth.isEmpty()) {
                throw new ProviderException("the credentials supplier gave no authentication header", false, false,
                        context);
            }
            auth.forEach((name, value) -> {
                HeaderRules.checkValue(provider, "the " + name + " header", value);
                request.setHeader(name, value);
            });
        }
        return request;
    }

    /** Ends the invocation threads and shuts down the client if the transport created it; idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            invocations.close();
            if (ownsClient) {
                OwnedClients.shutdown(client);
            }
        }
    }

    /** Settings of a transport; each bad setting is refused with an {@link IllegalArgumentException} naming it. */
    public static final class Builder {
        private final String provider;
        private HttpClient client;
        private boolean owned;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private HttpClient.Version version;
        private Supplier<Map<String, String>> authHeaders;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private long maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES;
        private int invocationThreads = DEFAULT_INVOCATION_THREADS;

        private Builder(String provider) {
            if (provider == null || !provider.matches("[a-z0-9-]{1,40}")) {
                throw new IllegalArgumentException("provider must be 1-40 lower-case letters, digits or '-', was "
                        + provider);
            }
            this.provider = provider;
        }

        /** Sends with this client, which stays the caller's: {@link #close()} leaves it open. */
        public Builder client(HttpClient value) {
            this.client = Objects.requireNonNull(value, "client");
            this.owned = false;
            return this;
        }

        /** Sends with this client and shuts it down at {@link #close()}: for a client built for this transport. */
        public Builder ownedClient(HttpClient value) {
            this.client = Objects.requireNonNull(value, "client");
            this.owned = true;
            return this;
        }

        /** Connect timeout of a client the transport creates itself (default 10 s); ignored with {@link #client}. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = Checks.positive(value, "connectTimeout");
            return this;
        }

        /** HTTP version of a client the transport creates itself (default: the JDK's, HTTP/2 with fallback). */
        public Builder version(HttpClient.Version value) {
            this.version = Objects.requireNonNull(value, "version");
            return this;
        }

        /**
         * Supplies the authentication headers per request (a token supplier can rotate credentials); values are
         * checked for characters that could split a request. An empty answer fails the request.
         */
        public Builder authHeaders(Supplier<Map<String, String>> value) {
            this.authHeaders = Objects.requireNonNull(value, "authHeaders");
            return this;
        }

        /** A header sent with every request; checked by {@link HeaderRules#checkExtraHeader}. */
        public Builder header(String name, String value) {
            HeaderRules.checkExtraHeader(provider, name, value);
            headers.put(name, value);
            return this;
        }

        /** Largest response body read (default 64 MiB); a larger one fails the request. */
        public Builder maxResponseBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxResponseBytes must be at least 1, was " + value);
            }
            this.maxResponseBytes = value;
            return this;
        }

        /** How many invocations are sent on threads of the transport at once (default 64; 0 = always sendAsync). */
        public Builder invocationThreads(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("invocationThreads must be 0 or more, was " + value);
            }
            this.invocationThreads = value;
            return this;
        }

        public HttpTransport build() {
            if (client != null) {
                return new HttpTransport(this, client, owned);
            }
            HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(connectTimeout)
                    .followRedirects(HttpClient.Redirect.NEVER);
            if (version != null) {
                b.version(version);
            }
            return new HttpTransport(this, b.build(), true);
        }
    }
}
