package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * DigitalOcean's namespaces API: {@code GET|POST /v2/functions/namespaces}, {@code GET|DELETE …/{namespace}}, with a
 * Bearer token, DigitalOcean's error bodies ({@code {"id","message","request_id"}}) and its limit of namespaces per
 * account.
 */
final class NamespacesApi {
    private final Settings settings;
    private final ObjectMapper json;
    private final Account account;
    private final Invoker invoker;
    private final Supplier<String> apiHost;

    NamespacesApi(Settings settings, ObjectMapper json, Account account, Invoker invoker, Supplier<String> apiHost) {
        this.settings = settings;
        this.json = json;
        this.account = account;
        this.invoker = invoker;
        this.apiHost = apiHost;
    }

    void handle(HttpExchange ex, String rest) throws IOException {
        if (!bearerOk(ex)) {
            doError(ex, 401, "Unauthorized", "Unable to authenticate you");
            return;
        }
        String method = ex.getRequestMethod();
        if (rest.isEmpty() || rest.equals("/")) {
            if (method.equals("GET")) {
                ObjectNode out = json.createObjectNode();
                ArrayNode list = out.putArray("namespaces");
                account.list().forEach(n -> list.add(n.record.toJson(json, apiHost.get())));
                out.putObject("meta").put("total", list.size());
                Exchanges.send(ex, 200, json, out);
            } else if (method.equals("POST")) {
                createNamespaceFromApi(ex);
            } else {
                doError(ex, 405, "method_not_allowed", "Method " + method + " is not allowed here");
            }
            return;
        }
        String id = Exchanges.decode(rest.substring(1));
        NamespaceState state = account.get(id);
        if (state == null) {
            doError(ex, 404, "not_found", "The resource you were accessing could not be found.");
            return;
        }
        switch (method) {
            case "GET" -> {
                ObjectNode out = json.createObjectNode();
                out.set("namespace", state.record.toJson(json, apiHost.get()));
                Exchanges.send(ex, 200, json, out);
            }
            case "DELETE" -> {
                account.remove(state);
                state.actions.values().forEach(a -> invoker.retire(a.revision()));
                ex.sendResponseHeaders(204, -1);
            }
            default -> doError(ex, 405, "method_not_allowed", "Method " + method + " is not allowed here");
        }
    }

    private void createNamespaceFromApi(HttpExchange ex) throws IOException {
        JsonNode body = Exchanges.readJson(ex, json, 64 * 1024);
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
        NamespaceRecord created = account.createWithin(settings.namespaceLimit(), label, region);
        if (created == null) {
            doError(ex, 422, "unprocessable_entity", "You have reached the limit of " + settings.namespaceLimit()
                    + " namespaces per account. Delete a namespace to create another.");
            return;
        }
        ObjectNode out = json.createObjectNode();
        out.set("namespace", created.toJson(json, apiHost.get()));
        Exchanges.send(ex, 200, json, out);
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

    private void doError(HttpExchange ex, int status, String id, String message) throws IOException {
        Exchanges.send(ex, status, json, json.createObjectNode().put("id", id).put("message", message)
                .put("request_id", java.util.UUID.randomUUID().toString()));
    }
}
