package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The Functions host of one function app: starts the deployed custom handler on the first request (a cold start),
 * checks function keys, forwards each invocation in the host's custom-handler shape (or as the raw request when the
 * app asks for forwarding), turns the handler's answer into the HTTP response, and restarts the handler when it
 * exits or a call outlives {@code functionTimeout}.
 */
final class FunctionsHost {
    static final String HOST_VERSION = "4.1041.200";
    private static final Logger LOG = LoggerFactory.getLogger(FunctionsHost.class);
    private static final List<String> HOP_HEADERS = List.of("connection", "content-length", "transfer-encoding",
            "host", "keep-alive", "upgrade", "expect");

    private final Site site;
    private final ObjectMapper json;
    private final HttpClient client;
    private final Duration startTimeout;
    private WorkerProcess worker;
    private volatile String lastError;

    FunctionsHost(Site site, ObjectMapper json, HttpClient client, Duration startTimeout) {
        this.site = site;
        this.json = json;
        this.client = client;
        this.startTimeout = startTimeout;
    }

    Http.Response handle(Http.Request request) {
        if (site.state.equals("Stopped")) {
            return Http.Response.of(403, "text/html", "Error 403 - This web app is stopped."
                    .getBytes(StandardCharsets.UTF_8));
        }
        String path = request.path();
        if (path.equals("/") || path.isEmpty()) {
            return Http.Response.of(200, "text/html",
                    "<html><body>Your Functions app is up and running</body></html>".getBytes(StandardCharsets.UTF_8));
        }
        if (path.equalsIgnoreCase("/admin/host/status")) {
            return hostStatus(request);
        }
        if (path.regionMatches(true, 0, "/api/", 0, 5)) {
            return invoke(request, path.substring(5));
        }
        return Http.Response.empty(404);
    }

    private Http.Response hostStatus(Http.Request request) {
        if (!Keys.matches(presentedKey(request), site.masterKey)) {
            return Http.Response.empty(401);
        }
        AppContent content = site.content;
        ObjectNode status = json.createObjectNode();
        status.put("id", site.name);
        status.put("version", HOST_VERSION);
        status.put("versionDetails", HOST_VERSION + " (faasx local)");
        if (content == null) {
            status.put("state", "Running");
            status.putArray("errors");
        } else {
            try {
                WorkerProcess w = ensureWorker(content);
                status.put("state", "Running");
                status.put("processUptime", Duration.between(w.started, Instant.now()).toMillis());
            } catch (WorkerProcess.WorkerStartException e) {
                status.put("state", "Error");
                status.putArray("errors").add(e.getMessage());
            }
        }
        return Http.Response.of(200, "application/json; charset=utf-8", bytes(status));
    }

    private Http.Response invoke(Http.Request request, String route) {
        AppContent content = site.content;
        AppContent.FunctionDef function = content == null ? null : find(content, route);
        if (function == null) {
            return Http.Response.empty(404);
        }
        if (!function.allows(request.method())) {
            return Http.Response.empty(404);
        }
        if (!authorized(request, function)) {
            return Http.Response.empty(401);
        }
        WorkerProcess w;
        try {
            w = ensureWorker(content);
        } catch (WorkerProcess.WorkerStartException e) {
            LOG.warn("the custom handler of {} did not start: {}", site.name, e.getMessage());
            return Http.Response.of(503, "text/plain", "Function host is not running."
                    .getBytes(StandardCharsets.UTF_8));
        }
        String invocationId = UUID.randomUUID().toString();
        HttpRequest.Builder forward;
        if (content.proxying()) {
            forward = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port + request.path()
                    + (request.rawQuery() == null ? "" : "?" + request.rawQuery())))
                    .method(request.method(), HttpRequest.BodyPublishers.ofByteArray(request.body()));
            String type = request.header("Content-Type");
            if (type != null) {
                forward.header("Content-Type", type);
            }
        } else {
            forward = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + w.port + "/" + function.name()))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(envelope(request, function)))
                    .header("Content-Type", "application/json");
        }
        forward.header("X-Azure-Functions-InvocationId", invocationId)
                .header("X-Azure-Functions-HostVersion", HOST_VERSION)
                .header("User-Agent", "Azure-Functions-Host/" + HOST_VERSION)
                .timeout(content.functionTimeout());
        HttpResponse<byte[]> answer;
        try {
            answer = client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            LOG.warn("Timeout value of {} exceeded by function 'Functions.{}' (Id: '{}'); restarting the handler",
                    content.functionTimeout(), function.name(), invocationId);
            restart(w);
            return Http.Response.empty(500);
        } catch (IOException e) {
            LOG.warn("the custom handler of {} failed the call: {}", site.name, e.toString());
            if (!w.alive()) {
                restart(w);
            }
            return Http.Response.empty(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Http.Response.empty(500);
        }
        if (content.proxying()) {
            return passThrough(answer);
        }
        if (answer.statusCode() < 200 || answer.statusCode() > 299) {
            return Http.Response.empty(500);
        }
        return outputs(answer.body());
    }

    private static AppContent.FunctionDef find(AppContent content, String route) {
        String wanted = route.toLowerCase(Locale.ROOT);
        for (AppContent.FunctionDef f : content.functions().values()) {
            if (f.route().toLowerCase(Locale.ROOT).equals(wanted)) {
                return f;
            }
        }
        return null;
    }

    private boolean authorized(Http.Request request, AppContent.FunctionDef function) {
        if (function.authLevel().equals("anonymous")) {
            return true;
        }
        String key = presentedKey(request);
        if (key == null) {
            return false;
        }
        boolean ok = Keys.matches(key, site.masterKey);
        if (function.authLevel().equals("function")) {
            synchronized (site) {
                for (String k : site.hostKeys.values()) {
                    ok |= Keys.matches(key, k);
                }
                for (String k : site.functionKeys.getOrDefault(function.name().toLowerCase(Locale.ROOT),
                        Map.of()).values()) {
                    ok |= Keys.matches(key, k);
                }
            }
        }
        return ok;
    }

    private static String presentedKey(Http.Request request) {
        String header = request.header("x-functions-key");
        return header != null ? header : request.query().get("code");
    }

    private byte[] envelope(Http.Request request, AppContent.FunctionDef function) {
        ObjectNode root = json.createObjectNode();
        ObjectNode req = root.putObject("Data").putObject("req");
        req.put("Url", "https://" + site.name + ".azurewebsites.net" + request.path()
                + (request.rawQuery() == null ? "" : "?" + request.rawQuery()));
        req.put("Method", request.method());
        ObjectNode query = json.createObjectNode();
        request.query().forEach(query::put);
        req.set("Query", query);
        ObjectNode headers = json.createObjectNode();
        request.headers().forEach((name, values) -> {
            if (!name.equalsIgnoreCase("x-forwarded-host")) {
                var array = headers.putArray(canonical(name));
                values.forEach(array::add);
            }
        });
        req.set("Headers", headers);
        req.putObject("Params");
        req.putArray("Identities");
        if (request.body().length > 0) {
            String type = String.valueOf(request.header("Content-Type")).toLowerCase(Locale.ROOT);
            if (type.startsWith("application/octet-stream") || type.startsWith("multipart/")) {
                req.put("Body", Base64.getEncoder().encodeToString(request.body()));
            } else {
                req.put("Body", new String(request.body(), StandardCharsets.UTF_8));
            }
        }
        ObjectNode metadata = root.putObject("Metadata");
        metadata.set("Query", query.deepCopy());
        metadata.set("Headers", headers.deepCopy());
        ObjectNode sys = metadata.putObject("sys");
        sys.put("MethodName", function.name());
        sys.put("UtcNow", Instant.now().toString());
        sys.put("RandGuid", UUID.randomUUID().toString());
        return bytes(root);
    }

    private Http.Response outputs(byte[] body) {
        JsonNode res;
        try {
            JsonNode root = json.readTree(body);
            res = root == null ? null : root.path("Outputs").path("res");
        } catch (IOException e) {
            LOG.warn("the custom handler of {} answered something that is not JSON", site.name);
            return Http.Response.empty(500);
        }
        if (res == null || !res.isObject()) {
            LOG.warn("the custom handler of {} answered without Outputs.res", site.name);
            return Http.Response.empty(500);
        }
        JsonNode code = res.has("statusCode") ? res.get("statusCode") : res.get("status");
        int status = code == null ? 200 : code.isNumber() ? code.asInt() : parseStatus(code.asText());
        if (status < 100 || status > 599) {
            return Http.Response.empty(500);
        }
        JsonNode bodyNode = res.get("body");
        byte[] out = bodyNode == null || bodyNode.isNull() ? new byte[0]
                : bodyNode.isTextual() ? bodyNode.textValue().getBytes(StandardCharsets.UTF_8) : bytes(bodyNode);
        Http.Response response = Http.Response.of(status, null, out);
        JsonNode headers = res.path("headers");
        for (var it = headers.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!HOP_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                response = response.withHeader(e.getKey(), e.getValue().isArray() ? e.getValue().path(0).asText()
                        : e.getValue().asText());
            }
        }
        return response;
    }

    private static Http.Response passThrough(HttpResponse<byte[]> answer) {
        Http.Response response = Http.Response.of(answer.statusCode(), null, answer.body());
        for (var e : answer.headers().map().entrySet()) {
            if (!HOP_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT)) && !e.getKey().startsWith(":")) {
                response = response.withHeader(e.getKey(), e.getValue().get(0));
            }
        }
        return response;
    }

    /** {@code content-type} as {@code Content-Type}: the JDK server lower-cases what clients sent. */
    private static String canonical(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    private static int parseStatus(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The running handler for {@code content}, started when none runs (a cold start). */
    synchronized WorkerProcess ensureWorker(AppContent content) throws WorkerProcess.WorkerStartException {
        if (worker != null && worker.alive()) {
            return worker;
        }
        if (worker != null) {
            LOG.info("the custom handler of {} exited; starting it again", site.name);
        }
        Map<String, String> settings;
        synchronized (site) {
            settings = Map.copyOf(site.appSettings);
        }
        try {
            worker = WorkerProcess.start(site, content, settings, startTimeout, client);
            lastError = null;
            return worker;
        } catch (WorkerProcess.WorkerStartException e) {
            worker = null;
            lastError = e.getMessage();
            throw e;
        }
    }

    String lastError() {
        return lastError;
    }

    private synchronized void restart(WorkerProcess failed) {
        failed.stop();
        if (worker == failed) {
            worker = null;
        }
    }

    /** Stops the handler; the next request starts it again with the current content and settings. */
    synchronized void stop() {
        if (worker != null) {
            worker.stop();
            worker = null;
        }
    }

    synchronized boolean running() {
        return worker != null && worker.alive();
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
