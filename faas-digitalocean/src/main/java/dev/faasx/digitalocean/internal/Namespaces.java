package dev.faasx.digitalocean.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.internal.http.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * DigitalOcean's namespaces API ({@code /v2/functions/namespaces}, Bearer token): finds the executor's namespace by
 * its label (or its name), creates it in the configured region when it does not exist (within DigitalOcean's limit
 * of {@value #NAMESPACE_LIMIT} per account), and caches its {@code api_host} and action credentials. A failed
 * look-up is not cached.
 */
public final class Namespaces {
    public static final int NAMESPACE_LIMIT = 10;

    /** A namespace's OpenWhisk coordinates; {@code created} when this executor made it. */
    public record Namespace(String name, String label, String region, URI apiHost, String uuid, String key,
                            boolean created) {
        /** The {@code Authorization} header of the OpenWhisk API: Basic {@code uuid:key}. */
        public Map<String, String> basicAuth() {
            return Map.of("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                    (uuid + ":" + key).getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "Namespace[" + name + ", label=" + label + ", " + apiHost + "]";
        }
    }

    private final HttpTransport transport;
    private final ObjectMapper json;
    private final String base;
    private final String label;
    private final String namespaceName;
    private final String region;
    private final boolean create;
    private final Duration timeout;
    private final AtomicReference<CompletableFuture<Namespace>> cached = new AtomicReference<>();
    private volatile Map<String, String> auth = Map.of();

    public Namespaces(HttpTransport transport, ObjectMapper json, URI apiBase, String label, String namespaceName,
                      String region, boolean create, Duration timeout) {
        this.transport = transport;
        this.json = json;
        String b = apiBase.toString();
        this.base = (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + "/v2/functions/namespaces";
        this.label = label;
        this.namespaceName = namespaceName;
        this.region = region;
        this.create = create;
        this.timeout = timeout;
    }

    /** The namespace, from the cache or looked up (and created) now. */
    public CompletableFuture<Namespace> get(ErrorContext ctx) {
        CompletableFuture<Namespace> current = cached.get();
        if (current != null && !current.isCompletedExceptionally()) {
            return current;
        }
        CompletableFuture<Namespace> fresh = new CompletableFuture<>();
        if (!cached.compareAndSet(current, fresh)) {
            return get(ctx);
        }
        resolve(ctx).whenComplete((ns, e) -> {
            if (e != null) {
                fresh.completeExceptionally(e);
            } else {
                auth = ns.basicAuth();
                fresh.complete(ns);
            }
        });
        return fresh;
    }

    /** The namespace if a look-up has already found it, else {@code null}. */
    public Namespace cached() {
        CompletableFuture<Namespace> current = cached.get();
        return current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
    }

    /** The resolved namespace's OpenWhisk credentials header, or an empty map before it is resolved. */
    public Map<String, String> authHeaders() {
        return auth;
    }

    /** Deletes the namespace (and everything in it) and forgets it. */
    public CompletableFuture<Void> delete(ErrorContext ctx) {
        return get(ctx).thenCompose(ns -> transport.send(request("/" + enc(ns.name())).DELETE(), timeout, ctx,
                "delete namespace").thenAccept(reply -> {
                    cached.set(null);
                    auth = Map.of();
                    if (reply.status() / 100 != 2 && reply.status() != 404) {
                        throw new CompletionException(ApiErrors.toException(reply, ctx, "deleting namespace "
                                + ns.name() + " failed"));
                    }
                }));
    }

    private CompletableFuture<Namespace> resolve(ErrorContext ctx) {
        return transport.send(request("").GET(), timeout, ctx, "list namespaces").thenCompose(reply -> {
            if (reply.status() != 200) {
                throw new CompletionException(ApiErrors.toException(reply, ctx, "listing DigitalOcean Functions"
                        + " namespaces failed"));
            }
            JsonNode list = read(reply.body(), ctx).path("namespaces");
            for (JsonNode n : list) {
                boolean match = namespaceName != null ? namespaceName.equals(n.path("namespace").asText())
                        : label.equals(n.path("label").asText());
                if (match) {
                    return CompletableFuture.completedFuture(namespace(n, false, ctx));
                }
            }
            if (namespaceName != null) {
                throw new CompletionException(new InvalidRequestException("the account has no DigitalOcean"
                        + " Functions namespace named " + namespaceName, ctx));
            }
            if (!create) {
                throw new CompletionException(new InvalidRequestException("the account has no DigitalOcean"
                        + " Functions namespace labelled '" + label + "', and creating it is switched off", ctx));
            }
            if (list.size() >= NAMESPACE_LIMIT) {
                throw new CompletionException(limitReached(list.size(), ctx));
            }
            return createNamespace(ctx);
        });
    }

    private CompletableFuture<Namespace> createNamespace(ErrorContext ctx) {
        ObjectNode body = json.createObjectNode().put("region", region).put("label", label);
        HttpRequest.Builder request = request("").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        return transport.send(request, timeout, ctx, "create namespace").thenApply(reply -> {
            if (reply.status() / 100 != 2) {
                FaasException e = ApiErrors.toException(reply, ctx, "creating the DigitalOcean Functions namespace '"
                        + label + "' in " + region + " failed");
                if (e.reason().contains("limit")) {
                    e = limitReached(NAMESPACE_LIMIT, ctx);
                }
                throw new CompletionException(e);
            }
            return namespace(read(reply.body(), ctx).path("namespace"), true, ctx);
        });
    }

    private InvalidRequestException limitReached(int existing, ErrorContext ctx) {
        String reason = "the account already has " + existing + " DigitalOcean Functions namespaces, DigitalOcean's"
                + " limit of " + NAMESPACE_LIMIT + " per account; delete one, or give the executor the label of an"
                + " existing namespace";
        return new InvalidRequestException(reason, List.of(reason), ctx, null);
    }

    private Namespace namespace(JsonNode n, boolean created, ErrorContext ctx) {
        String apiHost = n.path("api_host").asText("");
        String name = n.path("namespace").asText("");
        String uuid = n.path("uuid").asText("");
        String key = n.path("key").asText("");
        if (apiHost.isEmpty() || name.isEmpty() || uuid.isEmpty() || key.isEmpty()) {
            throw new CompletionException(new ProtocolException("DigitalOcean described namespace '" + name
                    + "' without api_host, namespace, uuid and key", false, ctx, null));
        }
        URI host;
        try {
            host = URI.create(apiHost.endsWith("/") ? apiHost.substring(0, apiHost.length() - 1) : apiHost);
            if (host.getHost() == null || !(host.getScheme().equals("https") || host.getScheme().equals("http"))) {
                throw new IllegalArgumentException("not an http(s) URL");
            }
        } catch (IllegalArgumentException e) {
            throw new CompletionException(new ProtocolException("DigitalOcean gave namespace '" + name
                    + "' an api_host that is not a URL", false, ctx, e));
        }
        return new Namespace(name, n.path("label").asText(""), n.path("region").asText(""), host, uuid, key,
                created);
    }

    private JsonNode read(byte[] body, ErrorContext ctx) {
        try {
            JsonNode n = json.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IOException("not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new CompletionException(new ProtocolException("DigitalOcean's namespaces API answered something"
                    + " that is not JSON: " + e.getMessage(), false, ctx, e));
        }
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
