package dev.faasx.cloudflare.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The calls of Cloudflare's v4 API that the executor makes, on the JDK {@link HttpClient}: authenticated with the
 * credentials' headers, answered in Cloudflare's envelope, failures mapped by {@link CloudflareErrors}.
 */
public final class CloudflareApi {
    private final HttpClient http;
    private final String base;
    private final CloudflareCredentials credentials;
    private final ObjectMapper json;
    private final Duration timeout;

    public CloudflareApi(HttpClient http, URI baseUrl, CloudflareCredentials credentials, ObjectMapper json,
                         Duration timeout) {
        this.http = http;
        String b = baseUrl.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.credentials = credentials;
        this.json = json;
        this.timeout = timeout;
    }

    /** {@code PUT /accounts/{account}/workers/scripts/{name}}: the upload's result (id, etag, modified_on…). */
    public CompletableFuture<JsonNode> uploadScript(String script, WorkerUpload upload, ErrorContext ctx) {
        HttpRequest request = request(scriptPath(script)).header("Content-Type", upload.contentType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(upload.body())).build();
        return envelope(request, ctx);
    }

    /** {@code POST …/scripts/{name}/subdomain} with {@code {"enabled":true}}. */
    public CompletableFuture<JsonNode> enableWorkersDev(String script, ErrorContext ctx) {
        HttpRequest request = request(scriptPath(script) + "/subdomain").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\":true,\"previews_enabled\":false}")).build();
        return envelope(request, ctx);
    }

    /** {@code GET /accounts/{account}/workers/subdomain}: the account's workers.dev subdomain. */
    public CompletableFuture<String> accountSubdomain(ErrorContext ctx) {
        HttpRequest request = request("/accounts/" + credentials.accountId() + "/workers/subdomain").GET().build();
        return envelope(request, ctx).thenApply(result -> {
            String sub = result.path("subdomain").asText("");
            if (!sub.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new CompletionException(new ProtocolException("the account has no usable workers.dev "
                        + "subdomain (got '" + sub + "'); register one in the dashboard under Workers & Pages",
                        false, ctx, null));
            }
            return sub;
        });
    }

    /** {@code GET …/scripts/{name}/settings}: bindings, compatibility date and flags. */
    public CompletableFuture<JsonNode> scriptSettings(String script, ErrorContext ctx) {
        return envelope(request(scriptPath(script) + "/settings").GET().build(), ctx);
    }

    /** {@code DELETE …/scripts/{name}?force=true}; a script that does not exist counts as deleted. */
    public CompletableFuture<Void> deleteScript(String script, ErrorContext ctx) {
        HttpRequest request = request(scriptPath(script) + "?force=true").DELETE().build();
        return send(request, ctx).thenApply(response -> {
            if (response.statusCode() / 100 == 2
                    || CloudflareErrors.isNotFound(response.statusCode(), response.body(), json)) {
                return null;
            }
            throw new CompletionException(failure(response, ctx));
        });
    }

    /** {@code POST /accounts/{account}/analytics_engine/sql} with the query as the body: the raw JSON answer. */
    public CompletableFuture<JsonNode> sql(String query, ErrorContext ctx) {
        HttpRequest request = request("/accounts/" + credentials.accountId() + "/analytics_engine/sql")
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(query)).build();
        return send(request, ctx).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new CompletionException(failure(response, ctx));
            }
            try {
                return json.readTree(response.body());
            } catch (IOException e) {
                throw new CompletionException(new ProtocolException("the Analytics Engine SQL API answered "
                        + "something that is not JSON: " + e.getMessage(), false, ctx, e));
            }
        });
    }

    private String scriptPath(String script) {
        return "/accounts/" + credentials.accountId() + "/workers/scripts/"
                + URLEncoder.encode(script, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json");
        credentials.authHeaders().forEach(b::header);
        return b;
    }

    private CompletableFuture<JsonNode> envelope(HttpRequest request, ErrorContext ctx) {
        return send(request, ctx).thenApply(response -> {
            if (response.statusCode() / 100 != 2) {
                throw new CompletionException(failure(response, ctx));
            }
            JsonNode root;
            try {
                root = json.readTree(response.body());
            } catch (IOException e) {
                throw new CompletionException(new ProtocolException("Cloudflare answered something that is not "
                        + "JSON: " + e.getMessage(), true, ctx, e));
            }
            if (root == null || !root.isObject() || !root.path("success").asBoolean(false)) {
                throw new CompletionException(failure(response, ctx));
            }
            return root.path("result");
        });
    }

    private FaasException failure(HttpResponse<byte[]> response, ErrorContext ctx) {
        return CloudflareErrors.toException(response.statusCode(), response.body(),
                response.headers().firstValue("Retry-After"), ctx, json);
    }

    private CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request, ErrorContext ctx) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
                .exceptionally(e -> {
                    throw new CompletionException(transportFailure(e, request.uri(), ctx));
                });
    }

    /** A failure to reach Cloudflare at all. */
    static FaasException transportFailure(Throwable e, URI uri, ErrorContext ctx) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof FaasException f) {
            return f;
        }
        if (cause instanceof HttpTimeoutException) {
            return new FaasTimeoutException("no answer from " + uri.getHost() + " in time", null, ctx, cause);
        }
        if (cause instanceof ConnectException) {
            return new ProviderException("cannot connect to " + uri.getHost() + ": " + cause.getMessage(), true,
                    false, ctx, cause);
        }
        return new ProviderException("the request to " + uri.getHost() + " failed: " + cause, true, true, ctx,
                cause);
    }
}
