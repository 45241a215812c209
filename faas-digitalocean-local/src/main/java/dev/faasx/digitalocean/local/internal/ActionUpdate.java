package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code PUT /api/v1/namespaces/{ns}/actions/{name}[?overwrite=true]}: validates an action as OpenWhisk does (kind,
 * code, limits, parameters) and stores it, refusing with OpenWhisk's messages and statuses (400 for a malformed
 * request or a limit out of range, 409 when it exists and {@code overwrite} is not set, 413 for code or parameters
 * over the size limits).
 */
final class ActionUpdate {
    private static final int DEFAULT_MEMORY_MB = 256;
    private static final long DEFAULT_TIMEOUT_MS = 3_000;
    private static final int DEFAULT_LOGS_MB = 10;
    private static final int MAX_LOGS_MB = 10;

    private final Settings settings;
    private final ObjectMapper json;

    ActionUpdate(Settings settings, ObjectMapper json, Ids ids) {
        this.settings = settings;
        this.json = json;
    }

    void put(HttpExchange ex, NamespaceState state, String name, AtomicLong revisions, Invoker invoker,
             ApiRouter router) throws IOException {
        // Base64 makes a zip a third larger; the code limit applies to the code itself.
        byte[] body = Exchanges.readBody(ex, settings.codeLimitBytes() * 4 / 3 + settings.payloadLimitBytes()
                + 64 * 1024);
        if (body == null) {
            router.owError(ex, 413, OwErrors.entityTooBig("Request", Exchanges.contentLength(ex),
                    settings.codeLimitBytes()));
            return;
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            router.owError(ex, 400, OwErrors.MALFORMED + e.getOriginalMessage());
            return;
        }
        if (root == null || !root.isObject()) {
            router.owError(ex, 400, OwErrors.MALFORMED + "the action must be a JSON object");
            return;
        }
        boolean overwrite = "true".equals(Exchanges.query(ex).get("overwrite"));
        synchronized (state) {
            ActionRecord existing = state.actions.get(name);
            if (existing != null && !overwrite) {
                router.owError(ex, 409, OwErrors.EXISTS);
                return;
            }
            Result r = build(root, state, name, existing, revisions.incrementAndGet());
            if (r.status != 200) {
                router.owError(ex, r.status, r.message);
                return;
            }
            state.actions.put(name, r.action);
            if (existing != null) {
                invoker.retire(existing.revision());
            }
            router.send(ex, 200, r.action.toJson(json, true));
        }
    }

    private record Result(int status, String message, ActionRecord action) {
        static Result error(int status, String message) {
            return new Result(status, message, null);
        }
    }

    private Result build(JsonNode root, NamespaceState state, String name, ActionRecord existing, long revision) {
        JsonNode exec = root.get("exec");
        String kind;
        String code;
        String main;
        boolean binary;
        if (exec == null || exec.isNull()) {
            if (existing == null) {
                return Result.error(400, OwErrors.MALFORMED + "exec undefined");
            }
            kind = existing.kind();
            code = existing.code();
            main = existing.main();
            binary = existing.binary();
        } else {
            kind = exec.path("kind").asText("");
            if (kind.equals("blackbox") || kind.equals("sequence")) {
                return Result.error(400, OwErrors.MALFORMED + "kind '" + kind
                        + "' is not offered by DigitalOcean Functions");
            }
            if (!Runtimes.isKnown(kind)) {
                return Result.error(400, OwErrors.invalidRuntime(kind, String.join(", ", Runtimes.KINDS)));
            }
            if (!exec.path("code").isTextual()) {
                return Result.error(400, OwErrors.MALFORMED + "exec.code must be a string");
            }
            code = exec.get("code").asText();
            main = exec.hasNonNull("main") ? exec.get("main").asText() : null;
            if (main != null && !main.matches("[A-Za-z_$][A-Za-z0-9_$]{0,127}")) {
                return Result.error(400, OwErrors.MALFORMED + "exec.main must be a function name");
            }
            binary = exec.path("binary").asBoolean(looksLikeZip(code));
        }
        long codeSize = binary ? decodedSize(code) : code.length();
        if (codeSize < 0) {
            return Result.error(400, OwErrors.MALFORMED + "exec.code is binary but not base64");
        }
        if (codeSize > settings.codeLimitBytes()) {
            return Result.error(413, OwErrors.entityTooBig("Code size", codeSize, settings.codeLimitBytes()));
        }
        if (binary) {
            try {
                CodeDirectory.checkZip(Base64.getMimeDecoder().decode(code));
            } catch (IOException | IllegalArgumentException e) {
                return Result.error(400, OwErrors.MALFORMED + e.getMessage());
            }
        }
        JsonNode limitsNode = root.path("limits");
        ActionRecord.Limits old = existing == null ? new ActionRecord.Limits(DEFAULT_TIMEOUT_MS, DEFAULT_MEMORY_MB,
                DEFAULT_LOGS_MB, 1) : existing.limits();
        long timeout = limitsNode.path("timeout").asLong(old.timeoutMs());
        int memory = limitsNode.path("memory").asInt(old.memoryMb());
        int logs = limitsNode.path("logs").asInt(old.logsMb());
        int concurrency = limitsNode.path("concurrency").asInt(old.concurrency());
        List<String> violations = new ArrayList<>();
        if (timeout < settings.minTimeoutMs()) {
            violations.add("duration " + timeout + " milliseconds below allowed threshold of "
                    + settings.minTimeoutMs() + " milliseconds");
        } else if (timeout > settings.maxTimeoutMs()) {
            violations.add("duration " + timeout + " milliseconds exceeds allowed threshold of "
                    + settings.maxTimeoutMs() + " milliseconds");
        }
        if (memory < settings.minMemoryMb()) {
            violations.add("memory " + memory + " MB below allowed threshold of " + settings.minMemoryMb() + " MB");
        } else if (memory > settings.maxMemoryMb()) {
            violations.add("memory " + memory + " MB exceeds allowed threshold of " + settings.maxMemoryMb()
                    + " MB");
        }
        if (logs < 0 || logs > MAX_LOGS_MB) {
            violations.add("logs " + logs + " MB exceeds allowed threshold of " + MAX_LOGS_MB + " MB");
        }
        if (concurrency != 1) {
            violations.add("concurrency " + concurrency + " is not allowed: each instance runs one activation at"
                    + " a time");
        }
        if (!violations.isEmpty()) {
            return Result.error(400, OwErrors.MALFORMED + "requirement failed: " + String.join("; ", violations));
        }
        ArrayNode parameters = existing != null && !root.has("parameters") ? existing.parameters()
                : root.path("parameters").isArray() ? (ArrayNode) root.get("parameters") : json.createArrayNode();
        long paramSize = parameters.toString().length();
        if (paramSize > settings.payloadLimitBytes()) {
            return Result.error(413, OwErrors.entityTooBig("Parameters", paramSize, settings.payloadLimitBytes()));
        }
        Map<String, String> initEnv = new LinkedHashMap<>();
        ObjectNode params = json.createObjectNode();
        for (JsonNode p : parameters) {
            if (!p.path("key").isTextual()) {
                return Result.error(400, OwErrors.MALFORMED + "every parameter needs a string key");
            }
            String key = p.get("key").asText();
            JsonNode value = p.path("value");
            if (p.path("init").asBoolean(false)) {
                initEnv.put(key, value.isTextual() ? value.asText() : value.toString());
            } else {
                params.set(key, value.deepCopy());
            }
        }
        ArrayNode annotations = existing != null && !root.has("annotations") ? existing.annotations()
                : root.path("annotations").isArray() ? (ArrayNode) root.get("annotations") : json.createArrayNode();
        String version = existing == null ? "0.0.1" : nextVersion(existing.version());
        ActionRecord action = new ActionRecord(state.record.namespace(), name, version, revision, kind, main, binary,
                code, new ActionRecord.Limits(timeout, memory, logs, concurrency), parameters.deepCopy(),
                annotations.deepCopy(), Map.copyOf(initEnv), params, System.currentTimeMillis());
        return new Result(200, null, action);
    }

    private static boolean looksLikeZip(String code) {
        return code.startsWith("UEsDB");
    }

    private static long decodedSize(String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64).length;
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }

    private static String nextVersion(String version) {
        String[] p = version.split("\\.");
        try {
            return p[0] + "." + p[1] + "." + (Long.parseLong(p[2]) + 1);
        } catch (RuntimeException e) {
            return "0.0.1";
        }
    }
}
