package dev.faasx.gcp.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * Sends HTTP requests to a function's URL with an ID token, on the JDK's HTTP client (HTTP/1.1, blocking, on the
 * calling thread). Thread-safe.
 */
public final class FunctionCaller {
    /** The header Cloud Functions puts the execution id in. */
    public static final String EXECUTION_ID = "Function-Execution-Id";

    private final HttpClient client;

    public FunctionCaller(Duration connectTimeout) {
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The outcome of one request: the answer, or that the URL could not be reached at all. */
    public record Answer(HttpResponse<byte[]> response, boolean unreachable) {
    }

    /** POSTs {@code body} (JSON) to {@code uri}. */
    public Answer post(URI uri, String token, byte[] body, Duration timeout, ErrorContext ctx) {
        return send(HttpRequest.newBuilder(uri).timeout(timeout).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), timeout, ctx, true);
    }

    /** GETs {@code uri}, with a warm-up label when {@code warmUpHeader} is not null. */
    public Answer get(URI uri, String token, String warmUpHeader, Duration timeout, ErrorContext ctx) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token).GET();
        if (warmUpHeader != null) {
            request.header(warmUpHeader, "1");
        }
        return send(request.build(), timeout, ctx, false);
    }

    /** Uploads a source zip to a signed URL. */
    public HttpResponse<byte[]> upload(URI uri, byte[] zip, ErrorContext ctx) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5))
                .header("Content-Type", "application/zip")
                .header("x-goog-content-length-range", "0,104857600")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(zip)).build();
        Answer answer = send(request, Duration.ofMinutes(5), ctx, false);
        if (answer.unreachable()) {
            throw new ProviderException("cannot upload the source: the upload URL is unreachable", true, false, ctx);
        }
        return answer.response();
    }

    private Answer send(HttpRequest request, Duration timeout, ErrorContext ctx, boolean mayRun) {
        try {
            return new Answer(client.send(request, HttpResponse.BodyHandlers.ofByteArray()), false);
        } catch (HttpConnectTimeoutException | ConnectException e) {
            return new Answer(null, true);
        } catch (HttpTimeoutException e) {
            throw new FaasTimeoutException("no answer from the function within " + timeout, timeout, ctx, e);
        } catch (IOException e) {
            if (e.getCause() instanceof ConnectException) {
                return new Answer(null, true);
            }
            throw new ProviderException("the connection to the function failed: " + e.getMessage()
                    + (mayRun ? "; the job may have run" : ""), true, mayRun, ctx, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw (FaasException) new ProviderException("interrupted while calling the function", false, mayRun, ctx, e);
        }
    }
}
