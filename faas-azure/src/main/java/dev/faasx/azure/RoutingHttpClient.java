package dev.faasx.azure;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.net.URL;
import java.util.Objects;

/**
 * An Azure SDK {@link HttpClient} that sends every request to one local address instead of Azure, keeping path and
 * query and naming the host the request was meant for in {@code X-Forwarded-Host}: Resource Manager
 * ({@code management.azure.com}), Kudu ({@code {app}.scm.azurewebsites.net}) and the Functions host
 * ({@code {app}.azurewebsites.net}) all reach the emulator that way. The SDK still builds {@code https} requests,
 * so it keeps sending its bearer token.
 *
 * <pre>{@code
 * HttpClient local = RoutingHttpClient.to(URI.create("http://127.0.0.1:8085"));
 * }</pre>
 *
 * <p>Thread-safe. For tests and local development only: it sends credentials over plain HTTP to that address.
 */
public final class RoutingHttpClient implements HttpClient {
    /** The header that names the host a rerouted request was meant for. */
    public static final String FORWARDED_HOST = "X-Forwarded-Host";

    private final String endpoint;
    private final HttpClient delegate;

    private RoutingHttpClient(URI endpoint, HttpClient delegate) {
        this.endpoint = endpoint.toString().replaceAll("/+$", "");
        this.delegate = delegate;
    }

    /** Routes to {@code endpoint} (for example {@code http://127.0.0.1:8085}) over a JDK-based client. */
    public static RoutingHttpClient to(URI endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        if (endpoint.getHost() == null) {
            throw new IllegalArgumentException("endpoint needs a host: " + endpoint);
        }
        return new RoutingHttpClient(endpoint, new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)).build());
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return send(request, Context.NONE);
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request, Context context) {
        return delegate.send(reroute(request), context);
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        return delegate.sendSync(reroute(request), context);
    }

    private HttpRequest reroute(HttpRequest request) {
        URL original = request.getUrl();
        String target = endpoint + (original.getPath() == null || original.getPath().isEmpty() ? "/"
                : original.getPath()) + (original.getQuery() == null ? "" : "?" + original.getQuery());
        return request.copy().setUrl(target).setHeader(FORWARDED_HOST, original.getHost());
    }
}
