package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves DigitalOcean's namespaces API ({@code /v2/functions/namespaces}, Bearer token) and the OpenWhisk REST API
 * ({@code /api/v1/namespaces/{ns}/actions|activations}, Basic {@code uuid:key}) from one handler.
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
    private final Map<String, NamespaceState> namespaces = new LinkedHashMap<>();
    private final Map<String, NamespaceState> byUuid = new ConcurrentHashMap<>();
    private final AtomicLong revisions = new AtomicLong();

    public ApiRouter(Settings settings, ObjectMapper json, Runtimes runtimes, java.nio.file.Path workDir,
                     Supplier<String> apiHost) {
        this.settings = settings;
        this.json = json;
        this.apiHost = apiHost;
        this.invoker = new Invoker(runtimes, workDir, json, ids, settings.payloadLimitBytes(), settings.keepWarm());
    }

    /** Creates a namespace directly (as if through the API); for tests and the command line. */
    public synchronized ObjectNode createNamespace(String label, String region) {
        NamespaceRecord r = new NamespaceRecord("fn-" + java.util.UUID.randomUUID(), label, region,
                java.util.UUID.randomUUID().toString(), ids.alphanumeric(64), Instant.now());
        NamespaceState state = new NamespaceState(r);
        namespaces.put(r.namespace(), state);
        byUuid.put(r.uuid(), state);
        return r.toJson(json, apiHost.get());
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
                namespacesApi(exchange, path.substring(DO_PREFIX.length()));
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

    // ---- DigitalOcean namespaces API -------------------------------------------------------------------------

    private void namespacesApi(HttpExchange ex, String rest) throws IOException {
        if (!bearerOk(ex)) {
            doError(ex, 401, "Unauthorized", "Unable to authenticate you");
            return;
        }
        String method = ex.getRequestMethod();
        if (rest.isEmpty() || rest.equals("/")) {
            if (method.equals("GET")) {
                ObjectNode out = json.createObjectNode();
                ArrayNode list = out.putArray("namespaces");
                synchronized (this) {
                    namespaces.values().forEach(n -> list.add(n.record.toJson(json, apiHost.get())));
                }
                out.putObject("meta").put("total", list.size());
                send(ex, 200, out);
            } else if (method.equals("POST")) {
                createNamespaceFromApi(ex);
            } else {
                doError(ex, 405, "method_not_allowed", "Method " + method + " is not allowed here");
            }
            return;
        }
        String id = decode(rest.substring(1));
        NamespaceState state;
        synchronized (this) {
            state = namespaces.get(id);
        }
        if (state == null) {
            doError(ex, 404, "not_found", "The resource you were accessing could not be found.");
            return;
        }
        switch (method) {
            case "GET" -> {
                ObjectNode out = json.createObjectNode();
                out.set("namespace", state.record.toJson(json, apiHost.get()));
                send(ex, 200, out);
            }
            case "DELETE" -> {
                synchronized (this) {
                    namespaces.remove(id);
                    byUuid.remove(state.record.uuid());
                }
                state.actions.values().forEach(a -> invoker.retire(a.revision()));
                ex.sendResponseHeaders(204, -1);
            }
            default -> doError(ex, 405, "method_not_allowed", "Method " + method + " is not allowed here");
        }
    }

    private void createNamespaceFromApi(HttpExchange ex) throws IOException {
        JsonNode body = readJson(ex, 64 * 1024);
        if (body == null || !body.isObject()) {
            doError(ex, 400, "bad_request", "The request body must be a JSON object with region and label");
            return;
        }
        String label = body.path("label").asText("");
        String region = body.path("region").asText("");
        if (label.isBlank() || label.length() > 255) {
            doError(ex, 422, "unprocessable_entity", "label is required (at most 255 characters)");
            return;
        }
        if (!settings.regions().contains(region)) {
            doError(ex, 422, "unprocessable_entity", "region '" + region + "' is not one of "
                    + settings.regions());
            return;
        }
        ObjectNode created;
        synchronized (this) {
            if (namespaces.size() >= settings.namespaceLimit()) {
                doError(ex, 422, "unprocessable_entity", "You have reached the limit of "
                        + settings.namespaceLimit() + " namespaces per account. Delete a namespace to create another.");
                return;
            }
            created = createNamespace(label, region);
        }
        ObjectNode out = json.createObjectNode();
        out.set("namespace", created);
        send(ex, 200, out);
    }

    private boolean bearerOk(HttpExchange ex) {
        String header = ex.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] presented = header.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String token : settings.tokens()) {
            ok |= MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), presented);
        }
        return ok;
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
        String ns = decode(parts[0]);
        if (!ns.equals("_") && !ns.equals(state.record.namespace())) {
            owError(ex, 403, OwErrors.FORBIDDEN);
            return;
        }
        if (parts.length >= 2 && parts[1].equals("actions")) {
            if (parts.length == 2 || (parts.length == 3 && parts[2].isEmpty())) {
                listActions(ex, state);
            } else if (parts.length == 3) {
                action(ex, state, decode(parts[2]));
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
        NamespaceState state = byUuid.get(decoded.substring(0, colon));
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
        Map<String, String> q = query(ex);
        int limit = intParam(q, "limit", 30);
        int skip = intParam(q, "skip", 0);
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
                    send(ex, 200, a.toJson(json, !"false".equals(query(ex).get("code"))));
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
        byte[] body = readBody(ex, settings.payloadLimitBytes());
        if (body == null) {
            owError(ex, 413, OwErrors.entityTooBig("Request", contentLength(ex), settings.payloadLimitBytes()));
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
        Map<String, String> q = query(ex);
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
            Map<String, String> q = query(ex);
            boolean docs = "true".equals(q.get("docs"));
            ArrayNode out = json.createArrayNode();
            for (ObjectNode a : state.activations(q.get("name"), intParam(q, "skip", 0),
                    Math.min(200, Math.max(1, intParam(q, "limit", 30))))) {
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
        String id = decode(parts[2]);
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

    // ---- helpers ---------------------------------------------------------------------------------------------

    static long contentLength(HttpExchange ex) {
        try {
            return Long.parseLong(ex.getRequestHeaders().getFirst("Content-Length"));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The body, or {@code null} when it is longer than {@code limit}. A refused body is not read to its end, so the
     * answer closes the connection: a client must not send its next request on it.
     */
    static byte[] readBody(HttpExchange ex, long limit) throws IOException {
        long declared = contentLength(ex);
        if (declared > limit) {
            ex.getResponseHeaders().set("Connection", "close");
            return null;
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (body.length > limit) {
                ex.getResponseHeaders().set("Connection", "close");
                return null;
            }
            return body;
        }
    }

    JsonNode readJson(HttpExchange ex, long limit) throws IOException {
        byte[] body = readBody(ex, limit);
        if (body == null || body.length == 0) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static int intParam(Map<String, String> q, String name, int fallback) {
        try {
            return q.containsKey(name) ? Math.max(0, Integer.parseInt(q.get(name))) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    void owError(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, json.createObjectNode().put("error", message).put("code", ids.alphanumeric(32)));
    }

    private void doError(HttpExchange ex, int status, String id, String message) throws IOException {
        send(ex, status, json.createObjectNode().put("id", id).put("message", message)
                .put("request_id", java.util.UUID.randomUUID().toString()));
    }
}
