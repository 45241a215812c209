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
 * The Workers scripts of the local API, with Cloudflare's versions and deployments: an upload makes a version; a
 * deployment makes a version the one that runs (the Worker is started on the runtime, so a Worker that does not load
 * is refused like Cloudflare's validation refuses it). {@code PUT} of a script does both; a version upload alone is
 * stored and checked when it is deployed. Secrets put or deleted make a new version and deploy it, as Cloudflare
 * does. Also: delete, settings and the workers.dev switch.
 */
final class ScriptService {
    /** One version of a script. */
    private record Version(String id, int number, WorkerScript script, Set<String> secrets, long cpuMs,
                           Instant createdOn, String source, String etag, String migrationTag) {
    }

    /** A deployment: the version that runs from then on. */
    private record Deployment(String id, Instant createdOn, String versionId, String source, String message) {
    }

    private record Script(Version live, List<Version> versions, List<Deployment> deployments, Instant createdOn,
                          Instant modifiedOn, long startupMs, boolean workersDev, String tag) {
        Script withWorkersDev(boolean enabled) {
            return new Script(live, versions, deployments, createdOn, modifiedOn, startupMs, enabled, tag);
        }

        WorkerScript script() {
            return live.script();
        }

        Set<String> secrets() {
            return live.secrets();
        }

        long cpuMs() {
            return live.cpuMs();
        }

        String etag() {
            return live.etag();
        }

        Optional<Version> version(String id) {
            return versions.stream().filter(v -> v.id().equals(id)).findFirst();
        }
    }

    /** The largest CPU limit Cloudflare lets a Worker set: 5 minutes. */
    static final long MAX_CPU_MS = 300_000;
    /** How many versions of a script are kept (Cloudflare lists the recent ones). */
    private static final int KEPT_VERSIONS = 100;

    private final ObjectMapper json;
    private final LocalWorkersRuntime runtime;
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final java.security.SecureRandom random = new java.security.SecureRandom();

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

    /** {@code PUT …/scripts/{name}}: a new version, deployed at once. */
    ObjectNode upload(String name, UploadParser.Upload upload) throws ApiError {
        synchronized (lock(name)) {
            Script before = scripts.get(name);
            Version v = version(name, upload, before, "api");
            Script after = deploy(name, before, v, "api", null);
            ObjectNode out = describe(name, after);
            out.put("deployment_id", v.id());
            return out;
        }
    }

    /** {@code POST …/scripts/{name}/versions}: a new version of an existing script, not deployed. */
    ObjectNode uploadVersion(String name, UploadParser.Upload upload) throws ApiError {
        synchronized (lock(name)) {
            Script before = get(name);
            Version v = version(name, upload, before, "api");
            List<Version> versions = new ArrayList<>(before.versions());
            versions.add(v);
            scripts.put(name, new Script(before.live(), trim(versions), before.deployments(), before.createdOn(),
                    before.modifiedOn(), before.startupMs(), before.workersDev(), before.tag()));
            return describeVersion(v).put("startup_time_ms", 0);
        }
    }

    /** {@code POST …/scripts/{name}/deployments}: runs the (one, 100 %) version named in the body. */
    ObjectNode createDeployment(String name, JsonNode body) throws ApiError {
        synchronized (lock(name)) {
            Script before = get(name);
            JsonNode versions = body.path("versions");
            if (!versions.isArray() || versions.size() != 1 || versions.get(0).path("percentage").asDouble() != 100) {
                throw ApiError.validation("the local API deploys one version at 100 percent; gradual deployments "
                        + "are not supported");
            }
            String id = versions.get(0).path("version_id").asText("");
            Version v = before.version(id).orElseThrow(() -> new ApiError(404, 10008,
                    "workers.api.error.version_not_found: no version " + id + " of " + name));
            Script after = deploy(name, before, v, "api", body.path("annotations").path("workers/message")
                    .asText(null));
            return describeDeployment(after.deployments().get(after.deployments().size() - 1));
        }
    }

    /** {@code GET …/scripts/{name}/deployments}: newest first. */
    ObjectNode deployments(String name) throws ApiError {
        Script s = get(name);
        ObjectNode out = json.createObjectNode();
        ArrayNode list = out.putArray("deployments");
        for (int i = s.deployments().size() - 1; i >= 0; i--) {
            list.add(describeDeployment(s.deployments().get(i)));
        }
        return out;
    }

    /** {@code GET …/scripts/{name}/versions}: newest first, as {@code items}. */
    ObjectNode versions(String name) throws ApiError {
        Script s = get(name);
        ObjectNode out = json.createObjectNode();
        ArrayNode items = out.putArray("items");
        for (int i = s.versions().size() - 1; i >= 0; i--) {
            items.add(describeVersion(s.versions().get(i)));
        }
        return out;
    }

    /** {@code GET …/scripts/{name}/versions/{id}}. */
    ObjectNode version(String name, String id) throws ApiError {
        return describeVersion(get(name).version(id).orElseThrow(() -> new ApiError(404, 10008,
                "workers.api.error.version_not_found: no version " + id + " of " + name)));
    }

    /** {@code GET /accounts/{a}/workers/services/{name}}; a missing Worker is Cloudflare's 10090. */
    ObjectNode service(String name) throws ApiError {
        Script s = scripts.get(name);
        if (s == null) {
            throw new ApiError(404, 10090, "workers.api.error.service_not_found: This Worker does not exist on your "
                    + "account.");
        }
        ObjectNode script = describe(name, s).put("tag", s.tag()).put("last_deployed_from", "wrangler");
        if (s.live().migrationTag() == null) {
            script.putNull("migration_tag");
        } else {
            script.put("migration_tag", s.live().migrationTag());
        }
        script.putArray("tags");
        ObjectNode out = json.createObjectNode().put("id", name).put("created_on", s.createdOn().toString())
                .put("modified_on", s.modifiedOn().toString());
        ObjectNode env = out.putObject("default_environment").put("environment", "production")
                .put("created_on", s.createdOn().toString()).put("modified_on", s.modifiedOn().toString());
        env.set("script", script);
        return out;
    }

    /** {@code GET …/scripts/{name}/secrets}: names and types, never values. */
    ArrayNode secrets(String name) throws ApiError {
        Script s = get(name);
        ArrayNode out = json.createArrayNode();
        s.script().bindings().stream().filter(b -> s.secrets().contains(b.name()))
                .forEach(b -> out.addObject().put("name", b.name()).put("type", "secret_text"));
        return out;
    }

    /** {@code PUT …/scripts/{name}/secrets}: sets one secret in a new version and deploys it. */
    ObjectNode putSecret(String name, JsonNode body) throws ApiError {
        String secretName = body.path("name").asText("");
        JsonNode text = body.get("text");
        if (!body.path("type").asText("secret_text").equals("secret_text") || text == null || !text.isTextual()) {
            throw ApiError.validation("a secret needs name, text and type secret_text");
        }
        synchronized (lock(name)) {
            Script before = get(name);
            List<WorkerBinding> bindings = new ArrayList<>();
            before.script().bindings().stream().filter(b -> !b.name().equals(secretName)).forEach(bindings::add);
            try {
                bindings.add(WorkerBinding.text(secretName, text.asText()));
            } catch (IllegalArgumentException e) {
                throw ApiError.validation("invalid secret name: " + e.getMessage());
            }
            Set<String> secrets = new HashSet<>(before.secrets());
            secrets.add(secretName);
            deploy(name, before, derived(before, before.script().withBindings(bindings), secrets), "api", null);
            return json.createObjectNode().put("name", secretName).put("type", "secret_text");
        }
    }

    /** {@code DELETE …/scripts/{name}/secrets/{secret}}: a new version without it, deployed. */
    void deleteSecret(String name, String secretName) throws ApiError {
        synchronized (lock(name)) {
            Script before = get(name);
            if (!before.secrets().contains(secretName)) {
                throw new ApiError(404, 10056, "workers.api.error.binding_not_found: no secret named " + secretName);
            }
            List<WorkerBinding> bindings = before.script().bindings().stream()
                    .filter(b -> !b.name().equals(secretName)).toList();
            Set<String> secrets = new HashSet<>(before.secrets());
            secrets.remove(secretName);
            deploy(name, before, derived(before, before.script().withBindings(bindings), secrets), "api", null);
        }
    }

    private Version derived(Script before, WorkerScript script, Set<String> secrets) {
        return new Version(uuid(), before.versions().get(before.versions().size() - 1).number() + 1, script,
                Set.copyOf(secrets), before.cpuMs(), now(), "api", etag(script), before.live().migrationTag());
    }

    /** Builds a version from an upload; keep_bindings refers to the running version. */
    private Version version(String name, UploadParser.Upload upload, Script before, String source) throws ApiError {
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
        Set<String> inherit = new HashSet<>();
        JsonNode bindings = upload.metadata().get("bindings");
        if (bindings != null && bindings.isArray()) {
            bindings.forEach(b -> {
                if ("secret_text".equals(b.path("type").asText())) {
                    secrets.add(b.path("name").asText());
                } else if ("inherit".equals(b.path("type").asText())) {
                    inherit.add(b.path("name").asText());
                }
            });
        }
        // Secrets outlive uploads that do not name them, as on Cloudflare (wrangler deploy relies on it).
        Set<String> keep = new HashSet<>(Set.of("secret_text"));
        JsonNode keepNode = upload.metadata().get("keep_bindings");
        if (keepNode != null && keepNode.isArray()) {
            keepNode.forEach(t -> keep.add(t.asText()));
        }
        if (before != null) {
            // keep_bindings: bindings of these types that the running version has and this upload does not name;
            // "inherit" bindings: the running version's binding of that name
            Set<String> named = new HashSet<>();
            script.bindings().forEach(b -> named.add(b.name()));
            List<WorkerBinding> merged = new ArrayList<>(script.bindings());
            for (WorkerBinding b : before.script().bindings()) {
                String type = typeOf(b, before.secrets());
                if (!named.contains(b.name()) && (keep.contains(type) || inherit.contains(b.name()))) {
                    merged.add(b);
                    if (type.equals("secret_text")) {
                        secrets.add(b.name());
                    }
                }
            }
            script = script.withBindings(merged);
        }
        int number = before == null ? 1 : before.versions().get(before.versions().size() - 1).number() + 1;
        // Durable Object migrations are accepted (every class is SQLite-backed here); their tag is kept, as
        // Cloudflare keeps it, so that Wrangler sends only newer migrations.
        String tag = upload.metadata().path("migrations").path("new_tag").asText(null);
        if (tag == null && before != null) {
            tag = before.live().migrationTag();
        }
        return new Version(uuid(), number, script, Set.copyOf(secrets), cpuMs, now(), source, etag(script), tag);
    }

    /** Runs {@code v} and records it as deployed. */
    private Script deploy(String name, Script before, Version v, String source, String message) throws ApiError {
        LocalWorker worker;
        try {
            worker = runtime.deploy(v.script());
        } catch (InvalidRequestException e) {
            throw ApiError.validation(e.reason());
        } catch (ProviderException e) {
            throw new ApiError(503, 10013, "the local runtime could not start the Worker: " + e.reason());
        }
        List<Version> versions = new ArrayList<>(before == null ? List.of() : before.versions());
        if (versions.stream().noneMatch(x -> x.id().equals(v.id()))) {
            versions.add(v);
        }
        List<Deployment> deployments = new ArrayList<>(before == null ? List.of() : before.deployments());
        deployments.add(new Deployment(uuid(), now(), v.id(), source, message));
        Instant now = now();
        Script after = new Script(v, trim(versions), trim(deployments), before == null ? now : before.createdOn(), now,
                worker.startup().toMillis(), before != null && before.workersDev(),
                before == null ? HexFormat.of().formatHex(randomBytes(16)) : before.tag());
        scripts.put(name, after);
        return after;
    }

    private static <T> List<T> trim(List<T> list) {
        return List.copyOf(list.size() <= KEPT_VERSIONS ? list : list.subList(list.size() - KEPT_VERSIONS,
                list.size()));
    }

    private ObjectNode describeVersion(Version v) {
        ObjectNode out = json.createObjectNode().put("id", v.id()).put("number", v.number());
        out.putObject("metadata").put("created_on", v.createdOn().toString())
                .put("modified_on", v.createdOn().toString()).put("source", v.source())
                .put("author_email", "local@faasx.invalid").put("has_preview", false);
        out.putObject("annotations");
        ObjectNode resources = out.putObject("resources");
        ObjectNode script = resources.putObject("script").put("etag", v.etag());
        script.putArray("handlers").add("fetch");
        resources.putObject("script_runtime").put("compatibility_date", v.script().compatibilityDate())
                .put("usage_model", "standard");
        resources.set("bindings", bindings(v.script(), v.secrets()));
        return out;
    }

    private ObjectNode describeDeployment(Deployment d) {
        ObjectNode out = json.createObjectNode().put("id", d.id()).put("created_on", d.createdOn().toString())
                .put("source", d.source()).put("strategy", "percentage").put("author_email", "local@faasx.invalid");
        out.putArray("versions").addObject().put("version_id", d.versionId()).put("percentage", 100.0);
        ObjectNode annotations = out.putObject("annotations");
        if (d.message() != null) {
            annotations.put("workers/message", d.message());
        }
        return out;
    }

    private Object lock(String name) {
        return locks.computeIfAbsent(name, k -> new Object());
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }

    private String uuid() {
        return java.util.UUID.randomUUID().toString();
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
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
        out.set("bindings", bindings(s.script(), s.secrets()));
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

    /** The bindings as the API shows them: secret values never. */
    private ArrayNode bindings(WorkerScript script, Set<String> secrets) {
        ArrayNode bindings = json.createArrayNode();
        for (WorkerBinding b : script.bindings()) {
            ObjectNode node = bindings.addObject().put("name", b.name()).put("type", typeOf(b, secrets));
            if (b instanceof WorkerBinding.Text t && !secrets.contains(b.name())) {
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
        return bindings;
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
