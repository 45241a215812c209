package dev.faasx.cloudflare.internal.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faasx.cloudflare.WorkerBinding;
import dev.faasx.cloudflare.WorkerScript;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.WorkerModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a parsed Workers upload (metadata and module parts) into a {@link WorkerScript}, with Cloudflare's error
 * codes for what is wrong: 10021 (validation), 10052 (a binding without a name).
 */
final class UploadedScripts {
    /** Module content types of the upload API that the local runtime runs. */
    private static final Map<String, WorkerModule.Type> MODULE_TYPES = Map.of(
            "application/javascript+module", WorkerModule.Type.ES_MODULE,
            "text/javascript+module", WorkerModule.Type.ES_MODULE,
            "application/wasm", WorkerModule.Type.WASM,
            "text/plain", WorkerModule.Type.TEXT,
            "application/octet-stream", WorkerModule.Type.DATA);

    /** Content types Cloudflare knows but the local runtime does not run. */
    private static final Map<String, String> KNOWN_UNSUPPORTED = Map.of(
            "application/javascript", "CommonJS modules",
            "text/javascript", "CommonJS modules",
            "application/json", "JSON modules",
            "text/x-python", "Python modules",
            "application/source-map", "source maps");

    private UploadedScripts() {
    }

    static WorkerScript toScript(String name, UploadParser.Upload upload) throws ApiError {
        JsonNode metadata = upload.metadata();
        if (metadata.hasNonNull("body_part")) {
            throw ApiError.validation("service-worker uploads (metadata.body_part) are not supported by the local "
                    + "API: upload ES modules and name the entry point in metadata.main_module");
        }
        JsonNode main = metadata.get("main_module");
        if (main == null || !main.isTextual() || main.asText().isEmpty()) {
            throw ApiError.validation("metadata.main_module is required: the name of the part holding the entry "
                    + "module");
        }
        String mainModule = main.asText();
        List<WorkerModule> modules = new ArrayList<>();
        for (UploadParser.Part part : upload.parts()) {
            modules.add(toModule(part));
        }
        if (modules.stream().noneMatch(m -> m.name().equals(mainModule))) {
            throw ApiError.validation("No such module \"" + mainModule + "\": main_module is not among the uploaded "
                    + "parts " + modules.stream().map(WorkerModule::name).toList());
        }
        String date = metadata.hasNonNull("compatibility_date") ? metadata.get("compatibility_date").asText()
                : WorkerScript.DEFAULT_COMPATIBILITY_DATE;
        List<String> flags = new ArrayList<>();
        JsonNode flagNode = metadata.get("compatibility_flags");
        if (flagNode != null && flagNode.isArray()) {
            flagNode.forEach(f -> flags.add(f.asText()));
        }
        List<WorkerBinding> bindings = toBindings(metadata.get("bindings"));
        try {
            return new WorkerScript(name, FunctionPackage.workerModules(mainModule, modules), date, flags, bindings);
        } catch (IllegalArgumentException e) {
            throw ApiError.validation(e.getMessage());
        }
    }

    private static WorkerModule toModule(UploadParser.Part part) throws ApiError {
        String raw = part.contentType();
        if (raw == null || raw.isBlank()) {
            throw ApiError.validation("the part '" + part.name() + "' has no Content-Type; modules need one of "
                    + MODULE_TYPES.keySet());
        }
        String type = raw.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        WorkerModule.Type moduleType = MODULE_TYPES.get(type);
        if (moduleType == null) {
            String what = KNOWN_UNSUPPORTED.get(type);
            throw ApiError.validation(what != null
                    ? what + " ('" + type + "', part '" + part.name() + "') are not supported by the local API"
                    : "unknown content type '" + type + "' for the part '" + part.name() + "'; modules need one of "
                    + MODULE_TYPES.keySet());
        }
        try {
            return new WorkerModule(part.name(), moduleType, part.content());
        } catch (IllegalArgumentException e) {
            throw ApiError.validation("invalid module name '" + part.name() + "': " + e.getMessage());
        }
    }

    private static List<WorkerBinding> toBindings(JsonNode node) throws ApiError {
        List<WorkerBinding> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw ApiError.validation("metadata.bindings must be an array");
        }
        for (JsonNode binding : node) {
            String name = binding.hasNonNull("name") ? binding.get("name").asText() : "";
            if (name.isEmpty()) {
                throw new ApiError(400, 10052, "A binding is uploaded without a name");
            }
            String type = binding.hasNonNull("type") ? binding.get("type").asText() : "";
            if (type.equals("inherit")) {
                // the running version's binding of this name, merged in by ScriptService
                continue;
            }
            try {
                out.add(switch (type) {
                    case "plain_text", "secret_text" -> WorkerBinding.text(name, required(binding, "text", name));
                    case "json" -> WorkerBinding.json(name, binding.has("json") ? binding.get("json").toString()
                            : required(binding, "json", name));
                    case "analytics_engine" -> WorkerBinding.analyticsEngine(name,
                            required(binding, "dataset", name));
                    case "kv_namespace" -> WorkerBinding.kvNamespace(name, required(binding, "namespace_id", name));
                    case "d1" -> WorkerBinding.d1(name, binding.hasNonNull("id") ? required(binding, "id", name)
                            : required(binding, "database_id", name));
                    case "durable_object_namespace" -> {
                        if (binding.hasNonNull("script_name")) {
                            throw ApiError.validation("binding " + name + ": Durable Objects of another script are "
                                    + "not supported by the local API; export the class from this script");
                        }
                        yield WorkerBinding.durableObject(name, required(binding, "class_name", name));
                    }
                    default -> throw ApiError.validation("binding type '" + type + "' (binding " + name + ") is not "
                            + "supported by the local API; it runs plain_text, secret_text, json, analytics_engine, "
                            + "kv_namespace, d1 and durable_object_namespace bindings");
                });
            } catch (IllegalArgumentException e) {
                throw ApiError.validation("invalid binding " + name + ": " + e.getMessage());
            }
        }
        return out;
    }

    private static String required(JsonNode binding, String field, String name) throws ApiError {
        JsonNode value = binding.get(field);
        if (value == null || !value.isTextual()) {
            throw ApiError.validation("binding " + name + " needs a '" + field + "' string");
        }
        return value.asText();
    }
}
