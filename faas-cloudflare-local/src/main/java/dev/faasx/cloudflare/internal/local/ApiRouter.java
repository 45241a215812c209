package dev.faasx.cloudflare.internal.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the local Cloudflare API under {@code /client/v4} and the deployed Workers under {@code /workers/<script>/}
 * (or by host name, {@code <script>.<subdomain>.workers.dev}). API calls are rate-limited, authenticated, checked
 * against the account id and answered in Cloudflare's envelope {@code {success, errors, messages, result}}; the
 * Analytics Engine SQL endpoint answers in its own format.
 */
public final class ApiRouter implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ApiRouter.class);
    private static final String API = "/client/v4";
    private static final Pattern SCRIPT_PATH = Pattern.compile(
            "/accounts/([^/]+)/workers/scripts/([^/]+)(/settings|/subdomain|/script-settings|/versions|/versions/[^/]+"
                    + "|/deployments|/secrets|/secrets/[^/]+|/references)?/?");
    private static final Pattern TAILS_PATH = Pattern.compile("/accounts/([^/]+)/workers/tails/by-consumer/([^/]+)/?");
    private static final Pattern SERVICE_PATH = Pattern.compile("/accounts/([^/]+)/workers/services/([^/]+)/?");
    private static final Pattern ACCOUNT_PATH = Pattern.compile("/accounts/([^/]+)/(workers/subdomain|"
            + "workers/scripts|analytics_engine/sql|storage/kv/namespaces)/?");
    private static final Pattern WORKER_PATH = Pattern.compile("/workers/([^/?]+)(/[^?]*)?");
    private static final int MAX_JSON = 1024 * 1024;

    /** What the router needs; built by {@code LocalCloudflareApi}. */
    public record Settings(String accountId, String subdomain, java.util.List<String> tokens,
                           java.util.Map<String, String> globalKeys, long maxScriptBytes, int rateLimit,
                           java.time.Duration rateWindow, java.time.Duration workerTimeout) {
    }

    private final ObjectMapper json = new ObjectMapper();
    private final Settings settings;
    private final LocalWorkersRuntime runtime;
    private final LocalAuth auth;
    private final RateLimiter limiter;
    private final ScriptService scripts;
    private final UploadParser uploads;
    private final SqlEngine sql;
    private final WorkerProxy proxy;
    private volatile String subdomain;

    public ApiRouter(Settings settings, LocalWorkersRuntime runtime, java.net.http.HttpClient client) {
        this.settings = settings;
        this.runtime = runtime;
        this.subdomain = settings.subdomain();
        this.auth = new LocalAuth(settings.tokens(), settings.globalKeys());
        this.limiter = new RateLimiter(settings.rateLimit(), settings.rateWindow());
        this.scripts = new ScriptService(json, runtime);
        this.uploads = new UploadParser(json, settings.maxScriptBytes(), 1000);
        this.sql = new SqlEngine(json);
        this.proxy = new WorkerProxy(client, scripts, settings.workerTimeout());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String query = exchange.getRequestURI().getRawQuery();
            String host = hostScript(exchange.getRequestHeaders().getFirst("Host"));
            if (host != null) {
                proxy.forward(exchange, host, path.substring(1) + (query == null ? "" : "?" + query));
                return;
            }
            Matcher worker = WORKER_PATH.matcher(path);
            if (worker.matches()) {
                String rest = worker.group(2) == null ? "" : worker.group(2).substring(1);
                proxy.forward(exchange, worker.group(1), rest + (query == null ? "" : "?" + query));
                return;
            }
            if (path.startsWith(API + "/")) {
                api(exchange, path.substring(API.length()));
                return;
            }
            WorkerProxy.text(exchange, 404, "not found: the local Cloudflare API is under " + API);
        } catch (IOException | RuntimeException e) {
            LOG.warn("request {} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    e.toString());
            throw e;
        }
    }

    private String hostScript(String host) {
        if (host == null) {
            return null;
        }
        String name = host.toLowerCase(Locale.ROOT).replaceFirst(":\\d+$", "");
        String suffix = "." + subdomain + ".workers.dev";
        return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
    }

    private void api(HttpExchange exchange, String path) throws IOException {
        try {
            long wait = limiter.acquire();
            if (wait > 0) {
                throw new ApiError(429, 971, "Please wait and consider throttling your request speed", wait);
            }
            boolean token = auth.check(exchange.getRequestHeaders());
            if (!token && path.endsWith("/analytics_engine/sql")) {
                // As documented for the SQL API: it authenticates API tokens only.
                throw new ApiError(403, 10000, "Authentication error: the Analytics Engine SQL API accepts only API "
                        + "tokens (Authorization: Bearer), not a global API key");
            }
            String method = exchange.getRequestMethod();
            if (path.equals("/user/tokens/verify")) {
                requireMethod(method, "GET");
                envelope(exchange, 200, json.createObjectNode().put("id", "local").put("status", "active"));
                return;
            }
            Matcher m = SCRIPT_PATH.matcher(path);
            if (m.matches()) {
                checkAccount(m.group(1));
                String name = m.group(2);
                ScriptService.checkName(name);
                script(exchange, method, name, m.group(3) == null ? "" : m.group(3));
                return;
            }
            m = TAILS_PATH.matcher(path);
            if (m.matches()) {
                // No Worker of the local API has tail consumers.
                checkAccount(m.group(1));
                requireMethod(method, "GET");
                envelope(exchange, 200, json.createArrayNode());
                return;
            }
            m = SERVICE_PATH.matcher(path);
            if (m.matches()) {
                checkAccount(m.group(1));
                if (method.equals("DELETE")) {
                    scripts.service(m.group(2));
                    scripts.delete(m.group(2));
                    envelope(exchange, 200, null);
                } else {
                    requireMethod(method, "GET");
                    envelope(exchange, 200, scripts.service(m.group(2)));
                }
                return;
            }
            m = ACCOUNT_PATH.matcher(path);
            if (m.matches()) {
                checkAccount(m.group(1));
                account(exchange, method, m.group(2));
                return;
            }
            throw new ApiError(404, 7003, "Could not route to " + API + path
                    + ", perhaps your object identifier is invalid?");
        } catch (ApiError e) {
            error(exchange, e);
        }
    }

    private void script(HttpExchange exchange, String method, String name, String sub) throws ApiError, IOException {
        switch (sub) {
            case "" -> {
                if (method.equals("PUT")) {
                    String type = exchange.getRequestHeaders().getFirst("Content-Type");
                    long length = parseLength(exchange.getRequestHeaders().getFirst("Content-Length"));
                    envelope(exchange, 200, scripts.upload(name, uploads.parse(type, length,
                            exchange.getRequestBody())));
                } else if (method.equals("DELETE")) {
                    scripts.delete(name);
                    envelope(exchange, 200, null);
                } else {
                    throw methodNotAllowed(method);
                }
            }
            case "/settings" -> {
                requireMethod(method, "GET");
                envelope(exchange, 200, scripts.settings(name));
            }
            case "/script-settings" -> {
                // tags, logpush, observability, tail consumers: accepted, not modelled
                if (!method.equals("GET")) {
                    requireMethod(method, "PATCH");
                    readJson(exchange);
                }
                scripts.settings(name);
                envelope(exchange, 200, json.createObjectNode().put("logpush", false));
            }
            case "/versions" -> {
                if (method.equals("POST")) {
                    String type = exchange.getRequestHeaders().getFirst("Content-Type");
                    long length = parseLength(exchange.getRequestHeaders().getFirst("Content-Length"));
                    envelope(exchange, 200, scripts.uploadVersion(name, uploads.parse(type, length,
                            exchange.getRequestBody())));
                } else {
                    requireMethod(method, "GET");
                    envelope(exchange, 200, scripts.versions(name));
                }
            }
            case "/deployments" -> {
                if (method.equals("POST")) {
                    envelope(exchange, 200, scripts.createDeployment(name, readJson(exchange)));
                } else {
                    requireMethod(method, "GET");
                    envelope(exchange, 200, scripts.deployments(name));
                }
            }
            case "/secrets" -> {
                if (method.equals("PUT")) {
                    envelope(exchange, 200, scripts.putSecret(name, readJson(exchange)));
                } else {
                    requireMethod(method, "GET");
                    envelope(exchange, 200, scripts.secrets(name));
                }
            }
            case "/references" -> {
                // No other Worker can bind this one locally (no service bindings, Durable Objects of its own only).
                requireMethod(method, "GET");
                scripts.settings(name);
                ObjectNode refs = json.createObjectNode();
                refs.putObject("services").putArray("incoming");
                refs.putArray("durable_objects");
                refs.putArray("dispatch_outbounds");
                envelope(exchange, 200, refs);
            }
            case "/subdomain" -> {
                if (method.equals("GET")) {
                    envelope(exchange, 200, scripts.subdomain(name));
                } else if (method.equals("POST")) {
                    envelope(exchange, 200, scripts.setSubdomain(name, readJson(exchange)));
                } else {
                    throw methodNotAllowed(method);
                }
            }
            default -> {
                String id = java.net.URLDecoder.decode(sub.substring(sub.indexOf('/', 1) + 1),
                        StandardCharsets.UTF_8);
                if (sub.startsWith("/versions/")) {
                    requireMethod(method, "GET");
                    envelope(exchange, 200, scripts.version(name, id));
                } else {
                    requireMethod(method, "DELETE");
                    scripts.deleteSecret(name, id);
                    envelope(exchange, 200, null);
                }
            }
        }
    }

    private void account(HttpExchange exchange, String method, String what) throws ApiError, IOException {
        switch (what) {
            case "workers/subdomain" -> {
                if (method.equals("PUT")) {
                    JsonNode body = readJson(exchange);
                    String requested = body.path("subdomain").asText("");
                    if (!requested.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                        throw ApiError.validation("subdomain must be a DNS label (lower-case letters, digits, '-')");
                    }
                    subdomain = requested;
                } else {
                    requireMethod(method, "GET");
                }
                envelope(exchange, 200, json.createObjectNode().put("subdomain", subdomain));
            }
            case "workers/scripts" -> {
                requireMethod(method, "GET");
                envelope(exchange, 200, scripts.list());
            }
            case "storage/kv/namespaces" -> {
                // Namespaces exist here as soon as a binding names one; none is managed through the API.
                requireMethod(method, "GET");
                ObjectNode root = json.createObjectNode().put("success", true);
                root.putArray("errors");
                root.putArray("messages");
                root.putArray("result");
                root.putObject("result_info").put("page", 1).put("per_page", 100).put("count", 0)
                        .put("total_count", 0).put("total_pages", 1);
                send(exchange, 200, root);
            }
            default -> {
                requireMethod(method, "POST");
                byte[] body = read(exchange);
                String answer;
                try {
                    answer = sql.run(new String(body, StandardCharsets.UTF_8), runtime.dataPoints(), Instant.now());
                } catch (SqlParser.SqlException e) {
                    WorkerProxy.text(exchange, 400, "error: " + e.getMessage());
                    return;
                }
                byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private void checkAccount(String accountId) throws ApiError {
        if (!accountId.equals(settings.accountId())) {
            throw new ApiError(403, 10000, "Authentication error: these credentials do not reach account "
                    + accountId);
        }
    }

    private static void requireMethod(String method, String allowed) throws ApiError {
        if (!method.equals(allowed)) {
            throw methodNotAllowed(method);
        }
    }

    private static ApiError methodNotAllowed(String method) {
        return new ApiError(405, 7001, "Method " + method + " not allowed for this route");
    }

    private static long parseLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private byte[] read(HttpExchange exchange) throws IOException, ApiError {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_JSON + 1);
            if (body.length > MAX_JSON) {
                throw ApiError.badBody("the body is larger than " + MAX_JSON + " bytes");
            }
            return body;
        }
    }

    private JsonNode readJson(HttpExchange exchange) throws IOException, ApiError {
        byte[] body = read(exchange);
        try {
            JsonNode node = json.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiError.badBody("expected a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ApiError.badBody("invalid JSON: " + e.getOriginalMessage());
        }
    }

    private void envelope(HttpExchange exchange, int status, JsonNode result) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("success", true);
        root.putArray("errors");
        root.putArray("messages");
        root.set("result", result);
        send(exchange, status, root);
    }

    private void error(HttpExchange exchange, ApiError e) throws IOException {
        ObjectNode root = json.createObjectNode();
        root.put("success", false);
        root.putArray("errors").addObject().put("code", e.code()).put("message", e.getMessage());
        root.putArray("messages");
        root.putNull("result");
        if (e.retryAfterSeconds() != null) {
            exchange.getResponseHeaders().set("Retry-After", String.valueOf(e.retryAfterSeconds()));
        }
        send(exchange, e.status(), root);
    }

    private void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
