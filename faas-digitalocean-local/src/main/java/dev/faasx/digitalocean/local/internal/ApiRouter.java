package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The emulator's one HTTP handler: routes DigitalOcean's namespaces API to {@link NamespacesApi} and serves the
 * OpenWhisk REST API ({@code /api/v1/namespaces/{ns}/actions|activations}, Basic {@code uuid:key}) itself.
 */
public final class ApiRouter implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
    private static final String DO_PREFIX = "/v2/functions/namespaces";
    private static final String OW_PREFIX = "/api/v1/namespaces";
    private static final java.util.regex.Pattern ENTITY_NAME =
            java.util.regex.Pattern.compile("[\\w]|[\\w][\\w@ .-]{0,254}[\\w@.-]");
    private static final java.util.regex.Pattern ACTIVATION_ID = java.util.regex.Pattern.compile("[0-9a-f]{32}");

    private final Settings settings;
    private final ObjectMapper json;
    private final Ids ids = new Ids();
    private final Invoker invoker;
    private final Supplier<String> apiHost;
    private final Account account;
    private final NamespacesApi namespacesApi;
    private final AtomicLong revisions = new AtomicLong();

    public ApiRouter(Settings settings, ObjectMapper json, Runtimes runtimes, java.nio.file.Path workDir,
                     Supplier<String> apiHost) {
        this.settings = settings;
        this.json = json;
        this.apiHost = apiHost;
        this.invoker = new Invoker(runtimes, workDir, json, ids, settings.payloadLimitBytes(), settings.keepWarm());
        this.account = new Account(ids);
        this.namespacesApi = new NamespacesApi(settings, json, account, invoker, apiHost);
    }

    /** Creates a namespace directly (as if through the API); for tests and the command line. */
    public ObjectNode createNamespace(String label, String region) {
        return account.create(label, region).toJson(json, apiHost.get());
    }

    /** How many action instances are warm and idle. */
    public int idleInstances() {
        return invoker.idleInstances();
    }

    public void close() {
        invoker.close();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            if (path.equals(DO_PREFIX) || path.startsWith(DO_PREFIX + "/")) {
                namespacesApi.handle(exchange, path.substring(DO_PREFIX.length()));
            } else if (path.equals("/api/v1") || path.equals("/api/v1/")) {
                ObjectNode info = json.createObjectNode();
                info.putArray("api_paths").add("/api/v1");
                info.put("description", "OpenWhisk API (faasx local DigitalOcean Functions emulator)");
                send(exchange, 200, info);
            } else if (path.equals(OW_PREFIX) || path.startsWith(OW_PREFIX + "/")) {
                openWhiskApi(exchange, path.substring(OW_PREFIX.length()));
            } else {
                owError(exchange, 404, OwErrors.NOT_FOUND);
            }
        } catch (RuntimeException e) {
            LOG.warn("request {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
            owError(exchange, 500, "The server encountered an internal error: " + e);
        }
    }

    // ---- OpenWhisk API ---------------------------------------------------------------------------------------

    private void openWhiskApi(HttpExchange ex, String rest) throws IOException {
        NamespaceState state = basicAuth(ex);
        if (state == null) {
            owError(ex, 401, OwErrors.UNAUTHENTICATED);
            return;
        }
        if (rest.isEmpty() || rest.equals("/")) {
            ArrayNode list = json.createArrayNode().add(state.record.namespace());
            send(ex, 200, list);
            return;
        }
        String[] parts = rest.substring(1).split("/", -1);
        String ns = Exchanges.decode(parts[0]);
        if (!ns.equals("_") && !ns.equals(state.record.namespace())) {
            owError(ex, 403, OwErrors.FORBIDDEN);
            return;
        }
        if (parts.length >= 2 && parts[1].equals("actions")) {
            if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
                listActions(ex, state);
            } else if (parts.length == 3) {
                action(ex, state, Exchanges.decode(parts[2]));
            } else {
                owError(ex, 404, OwErrors.NOT_FOUND + " Packages are not supported by the local emulator.");
            }
        } else if (parts.length >= 2 && parts[1].equals("activations")) {
            activations(ex, state, parts);
        } else if (parts.length == 1) {
            send(ex, 200, json.createObjectNode().put("name", state.record.namespace()));
        } else {
            owError(ex, 404, OwErrors.NOT_FOUND);
        }
    }

    private NamespaceState basicAuth(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        NamespaceState state = account.byUuid(decoded.substring(0, colon));
        if (state == null) {
            return null;
        }
        boolean ok = MessageDigest.isEqual(state.record.key().getBytes(StandardCharsets.UTF_8),
                decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8));
        return ok ? state : null;
    }

    private void listActions(HttpExchange ex, NamespaceState state) throws IOException {
        if (!ex.getRequestMethod().equals("GET")) {
            owError(ex, 405, "Method Not Allowed");
            return;
        }
        Map<String, String> q = Exchanges.query(ex);
        int limit = Exchanges.intParam(q, "limit", 30);
        int skip = Exchanges.intParam(q, "skip", 0);
        ArrayNode out = json.createArrayNode();
        state.actions.values().stream().sorted((a, b) -> Long.compare(b.updated(), a.updated())).skip(skip)
                .limit(limit == 0 ? 200 : limit).forEach(a -> out.add(a.toJson(json, false)));
        send(ex, 200, out);
    }

    private void action(HttpExchange ex, NamespaceState state, String name) throws IOException {
        if (!ENTITY_NAME.matcher(name).matches()) {
            owError(ex, 400, "The name of the entity contains illegal characters.");
            return;
        }
        switch (ex.getRequestMethod()) {
            case "GET" -> {
                ActionRecord a = state.actions.get(name);
                if (a == null) {
                    owError(ex, 404, OwErrors.NOT_FOUND);
                } else {
                    send(ex, 200, a.toJson(json, !"false".equals(Exchanges.query(ex).get("code"))));
                }
            }
            case "DELETE" -> {
                ActionRecord a = state.actions.remove(name);
                if (a == null) {
                    owError(ex, 404, OwErrors.NOT_FOUND);
                } else {
                    invoker.retire(a.revision());
                    send(ex, 200, a.toJson(json, false));
                }
            }
            case "PUT" -> new ActionUpdate(settings, json, ids).put(ex, state, name, revisions, invoker, this);
            case "POST" -> invoke(ex, state, name);
            default -> owError(ex, 405, "Method Not Allowed");
        }
    }

    private void invoke(HttpExchange ex, NamespaceState state, String name) throws IOException {
        long receivedNanos = System.nanoTime();
        long receivedMillis = System.currentTimeMillis();
        ActionRecord action = state.actions.get(name);
        if (action == null) {
            owError(ex, 404, OwErrors.NOT_FOUND);
            return;
        }
        byte[] body = Exchanges.readBody(ex, settings.payloadLimitBytes());
        if (body == null) {
            owError(ex, 413, OwErrors.entityTooBig("Request", Exchanges.contentLength(ex), settings.payloadLimitBytes()));
            return;
        }
        ObjectNode params;
        try {
            JsonNode parsed = body.length == 0 ? json.createObjectNode() : json.readTree(body);
            if (parsed == null || parsed.isMissingNode()) {
                parsed = json.createObjectNode();
            }
            if (!parsed.isObject()) {
                owError(ex, 400, OwErrors.MALFORMED + "the parameters must be a JSON object");
                return;
            }
            params = (ObjectNode) parsed;
        } catch (JsonProcessingException e) {
            owError(ex, 400, OwErrors.MALFORMED + e.getOriginalMessage());
            return;
        }
        NamespaceState.Admission refused = state.admit(settings.invocationsPerMinute(),
                settings.concurrentInvocations());
        if (refused != null) {
            refused.retryAfterSeconds().ifPresent(s -> ex.getResponseHeaders().set("Retry-After", Long.toString(s)));
            owError(ex, 429, refused.message());
            return;
        }
        ObjectNode args = action.params().deepCopy();
        args.setAll(params);
        String activationId = ids.activationId();
        CompletableFuture<ObjectNode> done = invoker.start(new Invoker.Request(action, args, activationId,
                ids.alphanumeric(32), receivedMillis, receivedNanos, apiHost.get(),
                state.record.uuid() + ":" + state.record.key()));
        CompletableFuture<ObjectNode> recorded = done.whenComplete((record, error) -> {
            if (record != null) {
                state.finished(record);
            } else {
                state.finished(json.createObjectNode().put("activationId", activationId).put("name", name));
            }
        });
        Map<String, String> q = Exchanges.query(ex);
        ex.getResponseHeaders().set("X-Request-ID", activationId);
        if (!"true".equals(q.get("blocking"))) {
            send(ex, 202, json.createObjectNode().put("activationId", activationId));
            return;
        }
        ObjectNode record;
        try {
            record = recorded.get(settings.blockingCutoff().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            send(ex, 202, json.createObjectNode().put("activationId", activationId));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            owError(ex, 503, "System is overloaded, try again later.");
            return;
        } catch (ExecutionException e) {
            owError(ex, 500, "The activation failed in the emulator: " + e.getCause());
            return;
        }
        int statusCode = record.path("response").path("statusCode").asInt(3);
        int http = switch (statusCode) {
            case 0 -> 200;
            case 1, 2 -> 502;
            default -> 500;
        };
        send(ex, http, "true".equals(q.get("result")) ? record.path("response").path("result") : record);
    }

    private void activations(HttpExchange ex, NamespaceState state, String[] parts) throws IOException {
        if (!ex.getRequestMethod().equals("GET")) {
            owError(ex, 405, "Method Not Allowed");
            return;
        }
        if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
            Map<String, String> q = Exchanges.query(ex);
            boolean docs = "true".equals(q.get("docs"));
            ArrayNode out = json.createArrayNode();
            for (ObjectNode a : state.activations(q.get("name"), Exchanges.intParam(q, "skip", 0),
                    Math.min(200, Math.max(1, Exchanges.intParam(q, "limit", 30))))) {
                if (docs) {
                    out.add(a);
                } else {
                    ObjectNode summary = a.deepCopy();
                    summary.remove("logs");
                    summary.remove("response");
                    out.add(summary);
                }
            }
            send(ex, 200, out);
            return;
        }
        String id = Exchanges.decode(parts[2]);
        if (!ACTIVATION_ID.matcher(id).matches()) {
            owError(ex, 400, OwErrors.ACTIVATION_ID_ILLEGAL);
            return;
        }
        ObjectNode record = state.activation(id);
        if (record == null || !record.has("response")) {
            owError(ex, 404, OwErrors.NOT_FOUND);
            return;
        }
        if (parts.length == 3) {
            send(ex, 200, record);
        } else if (parts.length == 4 && parts[3].equals("logs")) {
            ObjectNode out = json.createObjectNode();
            out.set("logs", record.path("logs"));
            send(ex, 200, out);
        } else if (parts.length == 4 && parts[3].equals("result")) {
            send(ex, 200, record.path("response"));
        } else {
            owError(ex, 404, OwErrors.NOT_FOUND);
        }
    }

    void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        Exchanges.send(ex, status, json, body);
    }

    void owError(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, json.createObjectNode().put("error", message).put("code", ids.alphanumeric(32)));
    }
}
