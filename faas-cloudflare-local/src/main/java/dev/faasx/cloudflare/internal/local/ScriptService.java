package dev.faasx.cloudflare.internal.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.cloudflare.LocalWorker;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.cloudflare.WorkerBinding;
import dev.faasx.cloudflare.WorkerScript;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.WorkerModule;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Workers scripts of the local API: upload (which starts the Worker on the runtime, so a Worker that does not
 * load is refused like Cloudflare's validation refuses it), delete, settings, and the workers.dev switch.
 */
final class ScriptService {
    private record Script(WorkerScript script, Set<String> secrets, String etag, Instant createdOn,
                          Instant modifiedOn, long startupMs, boolean workersDev, long cpuMs) {
        Script withWorkersDev(boolean enabled) {
            return new Script(script, secrets, etag, createdOn, modifiedOn, startupMs, enabled, cpuMs);
        }
    }

    /** The largest CPU limit Cloudflare lets a Worker set: 5 minutes. */
    static final long MAX_CPU_MS = 300_000;

    private final ObjectMapper json;
    private final LocalWorkersRuntime runtime;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    ScriptService(ObjectMapper json, LocalWorkersRuntime runtime) {
        this.json = json;
        this.runtime = runtime;
    }

    static void checkName(String name) throws ApiError {
        if (!WorkerScript.SCRIPT_NAME.matcher(name).matches()) {
            throw new ApiError(400, 10016, "Invalid Worker name '" + name + "': use lower-case letters, digits, "
                    + "'-' and '_' (at most 63 characters)");
        }
    }

    ObjectNode upload(String name, UploadParser.Upload upload) throws ApiError {
        WorkerScript script = UploadedScripts.toScript(name, upload);
        long cpuMs = 0;
        JsonNode limits = upload.metadata().get("limits");
        if (limits != null && limits.has("cpu_ms")) {
            JsonNode cpu = limits.get("cpu_ms");
            if (!cpu.canConvertToLong() || cpu.asLong() < 1 || cpu.asLong() > MAX_CPU_MS) {
                throw ApiError.validation("limits.cpu_ms must be a whole number of milliseconds from 1 to "
                        + MAX_CPU_MS + ", was " + cpu);
            }
            cpuMs = cpu.asLong();
        }
        Set<String> secrets = new HashSet<>();
        JsonNode bindings = upload.metadata().get("bindings");
        if (bindings != null && bindings.isArray()) {
            bindings.forEach(b -> {
                if ("secret_text".equals(b.path("type").asText())) {
                    secrets.add(b.path("name").asText());
                }
            });
        }
        synchronized (locks.computeIfAbsent(name, k -> new Object())) {
            Script before = scripts.get(name);
            Set<String> keep = new HashSet<>();
            JsonNode keepNode = upload.metadata().get("keep_bindings");
            if (keepNode != null && keepNode.isArray()) {
                keepNode.forEach(t -> keep.add(t.asText()));
            }
            if (before != null && !keep.isEmpty()) {
                // keep_bindings: bindings of these types that the previous version had and this upload does not name
                Set<String> named = new HashSet<>();
                script.bindings().forEach(b -> named.add(b.name()));
                List<WorkerBinding> merged = new ArrayList<>(script.bindings());
                for (WorkerBinding b : before.script().bindings()) {
                    String type = typeOf(b, before.secrets());
                    if (!named.contains(b.name()) && keep.contains(type)) {
                        merged.add(b);
                        if (type.equals("secret_text")) {
                            secrets.add(b.name());
                        }
                    }
                }
                script = script.withBindings(merged);
            }
            LocalWorker worker;
            try {
                worker = runtime.deploy(script);
            } catch (InvalidRequestException e) {
                throw ApiError.validation(e.reason());
            } catch (ProviderException e) {
                throw new ApiError(503, 10013, "the local runtime could not start the Worker: " + e.reason());
            }
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            Script previous = scripts.get(name);
            Script stored = new Script(script, Set.copyOf(secrets), etag(script),
                    previous == null ? now : previous.createdOn(), now, worker.startup().toMillis(),
                    previous != null && previous.workersDev(), cpuMs);
            scripts.put(name, stored);
            return describe(name, stored);
        }
    }

    void delete(String name) throws ApiError {
        synchronized (locks.computeIfAbsent(name, k -> new Object())) {
            if (scripts.remove(name) == null) {
                throw ApiError.scriptNotFound(name);
            }
            runtime.remove(name);
        }
    }

    ArrayNode list() {
        ArrayNode out = json.createArrayNode();
        scripts.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add(describe(e.getKey(), e.getValue())));
        return out;
    }

    ObjectNode settings(String name) throws ApiError {
        Script s = get(name);
        ObjectNode out = json.createObjectNode();
        ArrayNode bindings = out.putArray("bindings");
        for (WorkerBinding b : s.script().bindings()) {
            ObjectNode node = bindings.addObject().put("name", b.name()).put("type", typeOf(b, s.secrets()));
            if (b instanceof WorkerBinding.Text t && !s.secrets().contains(b.name())) {
                node.put("text", t.value());
            } else if (b instanceof WorkerBinding.Json j) {
                node.set("json", readJson(j.json()));
            } else if (b instanceof WorkerBinding.AnalyticsEngine a) {
                node.put("dataset", a.dataset());
            } else if (b instanceof WorkerBinding.KvNamespace kv) {
                node.put("namespace_id", kv.namespaceId());
            } else if (b instanceof WorkerBinding.D1Database d1) {
                node.put("id", d1.databaseId());
            } else if (b instanceof WorkerBinding.DurableObjectNamespace d) {
                node.put("class_name", d.className());
            }
        }
        out.put("compatibility_date", s.script().compatibilityDate());
        ArrayNode flags = out.putArray("compatibility_flags");
        s.script().compatibilityFlags().forEach(flags::add);
        if (s.cpuMs() > 0) {
            // Kept and reported, not enforced: workerd has no CPU limit of its own.
            out.putObject("limits").put("cpu_ms", s.cpuMs());
        }
        out.put("logpush", false);
        out.putObject("placement");
        out.putArray("tail_consumers");
        out.put("usage_model", "standard");
        return out;
    }

    ObjectNode subdomain(String name) throws ApiError {
        return subdomainBody(get(name).workersDev());
    }

    ObjectNode setSubdomain(String name, JsonNode body) throws ApiError {
        Script s = get(name);
        JsonNode enabled = body == null ? null : body.get("enabled");
        if (enabled == null || !enabled.isBoolean()) {
            throw ApiError.validation("the body must be {\"enabled\": true|false}");
        }
        scripts.put(name, s.withWorkersDev(enabled.asBoolean()));
        return subdomainBody(enabled.asBoolean());
    }

    /** Where the script's Worker answers, when it exists and is enabled on workers.dev. */
    Optional<URI> route(String name) {
        Script s = scripts.get(name);
        if (s == null || !s.workersDev()) {
            return Optional.empty();
        }
        return runtime.worker(name).map(LocalWorker::url);
    }

    private ObjectNode subdomainBody(boolean enabled) {
        return json.createObjectNode().put("enabled", enabled).put("previews_enabled", false);
    }

    private Script get(String name) throws ApiError {
        Script s = scripts.get(name);
        if (s == null) {
            throw ApiError.scriptNotFound(name);
        }
        return s;
    }

    private ObjectNode describe(String name, Script s) {
        ObjectNode out = json.createObjectNode().put("id", name).put("etag", s.etag())
                .put("created_on", s.createdOn().toString()).put("modified_on", s.modifiedOn().toString())
                .put("usage_model", "standard").put("has_modules", true)
                .put("compatibility_date", s.script().compatibilityDate())
                .put("startup_time_ms", s.startupMs());
        out.putArray("handlers").add("fetch");
        return out;
    }

    private JsonNode readJson(String text) {
        try {
            return json.readTree(text);
        } catch (java.io.IOException e) {
            return json.getNodeFactory().textNode(text);
        }
    }

    /** The upload API's type of a binding. */
    static String typeOf(WorkerBinding b, Set<String> secrets) {
        if (b instanceof WorkerBinding.Text) {
            return secrets.contains(b.name()) ? "secret_text" : "plain_text";
        }
        if (b instanceof WorkerBinding.Json) {
            return "json";
        }
        if (b instanceof WorkerBinding.AnalyticsEngine) {
            return "analytics_engine";
        }
        if (b instanceof WorkerBinding.KvNamespace) {
            return "kv_namespace";
        }
        if (b instanceof WorkerBinding.D1Database) {
            return "d1";
        }
        return "durable_object_namespace";
    }

    private static String etag(WorkerScript script) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (WorkerModule m : script.modules().modules()) {
                sha.update(m.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update(m.content());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
