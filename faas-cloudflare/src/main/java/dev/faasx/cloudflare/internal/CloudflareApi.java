package dev.faasx.cloudflare.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.internal.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The calls of Cloudflare's v4 API that the executor makes, on the shared {@link HttpTransport} (which adds the
 * credentials' headers per request, caps the answer and maps transport failures): answered in Cloudflare's
 * envelope, error answers mapped by {@link CloudflareErrors}. The credentials come from a supplier on every call, so
 * a rotated token is used from the next request on.
 */
public final class CloudflareApi {
    private final HttpTransport transport;
    private final String base;
    private final Supplier<CloudflareCredentials> credentials;
    private final ObjectMapper json;
    private final Duration timeout;

    public CloudflareApi(HttpTransport transport, URI baseUrl, Supplier<CloudflareCredentials> credentials,
                         ObjectMapper json, Duration timeout) {
        this.transport = transport;
        String b = baseUrl.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.credentials = credentials;
        this.json = json;
        this.timeout = timeout;
    }

    /** {@code PUT /accounts/{account}/workers/scripts/{name}}: the upload's result (id, etag, modified_on…). */
    public CompletableFuture<JsonNode> uploadScript(String script, WorkerUpload upload, ErrorContext ctx) {
        return envelope(() -> request(scriptPath(script)).header("Content-Type", upload.contentType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(upload.body())), ctx, "upload of " + script);
    }

    /** {@code POST …/scripts/{name}/subdomain} with {@code {"enabled":true}}. */
    public CompletableFuture<JsonNode> enableWorkersDev(String script, ErrorContext ctx) {
        return envelope(() -> request(scriptPath(script) + "/subdomain").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"enabled\":true,\"previews_enabled\":false}")), ctx,
                "enabling workers.dev for " + script);
    }

    /** {@code GET /accounts/{account}/workers/subdomain}: the account's workers.dev subdomain. */
    public CompletableFuture<String> accountSubdomain(ErrorContext ctx) {
        return envelope(() -> request("/accounts/" + account() + "/workers/subdomain").GET(), ctx,
                "workers.dev subdomain look-up").thenApply(result -> {
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
        return envelope(() -> request(scriptPath(script) + "/settings").GET(), ctx, "settings of " + script);
    }

    /** {@code DELETE …/scripts/{name}?force=true}; a script that does not exist counts as deleted. */
    public CompletableFuture<Void> deleteScript(String script, ErrorContext ctx) {
        return send(() -> request(scriptPath(script) + "?force=true").DELETE(), ctx, "delete of " + script)
                .thenApply(reply -> {
                    if (reply.status() / 100 == 2 || CloudflareErrors.isNotFound(reply.status(), reply.body(), json)) {
                        return null;
                    }
                    throw new CompletionException(failure(reply, ctx));
                });
    }

    /** {@code POST /accounts/{account}/analytics_engine/sql} with the query as the body: the raw JSON answer. */
    public CompletableFuture<JsonNode> sql(String query, ErrorContext ctx) {
        return send(() -> request("/accounts/" + account() + "/analytics_engine/sql")
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(query)), ctx, "Analytics Engine query").thenApply(reply -> {
                    if (reply.status() / 100 != 2) {
                        throw new CompletionException(failure(reply, ctx));
                    }
                    try {
                        return json.readTree(reply.body());
                    } catch (IOException e) {
                        throw new CompletionException(new ProtocolException("the Analytics Engine SQL API answered "
                                + "something that is not JSON: " + e.getMessage(), false, ctx, e));
                    }
                });
    }

    private String account() {
        return credentials.get().accountId();
    }

    private String scriptPath(String script) {
        return "/accounts/" + account() + "/workers/scripts/" + URLEncoder.encode(script, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
    }

    private CompletableFuture<JsonNode> envelope(Supplier<HttpRequest.Builder> request, ErrorContext ctx,
                                                 String target) {
        return send(request, ctx, target).thenApply(reply -> {
            if (reply.status() / 100 != 2) {
                throw new CompletionException(failure(reply, ctx));
            }
            JsonNode root;
            try {
                root = json.readTree(reply.body());
            } catch (IOException e) {
                throw new CompletionException(new ProtocolException("Cloudflare answered something that is not "
                        + "JSON: " + e.getMessage(), true, ctx, e));
            }
            if (root == null || !root.isObject() || !root.path("success").asBoolean(false)) {
                throw new CompletionException(failure(reply, ctx));
            }
            return root.path("result");
        });
    }

    private FaasException failure(HttpTransport.Reply reply, ErrorContext ctx) {
        return CloudflareErrors.toException(reply.status(), reply.body(), reply.headers().firstValue("Retry-After"),
                ctx, json);
    }

    /** Builds the request lazily, so a credentials supplier that fails becomes a failed future, not a throw. */
    private CompletableFuture<HttpTransport.Reply> send(Supplier<HttpRequest.Builder> request, ErrorContext ctx,
                                                        String target) {
        HttpRequest.Builder built;
        try {
            built = request.get();
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new dev.faasx.core.ProviderException(target
                    + " failed before sending: " + e.getMessage(), false, false, ctx, e));
        }
        return transport.send(built, timeout, ctx, target);
    }
}
