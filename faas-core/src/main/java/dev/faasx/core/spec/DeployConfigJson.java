package dev.faasx.core.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.spec.internal.TreeFields;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Reads and writes {@link DeployConfig} as JSON and as the {@value DeployConfig#HEADER} header. Reading collects
 * every problem before failing, so one {@link dev.faasx.core.InvalidRequestException} lists them all.
 */
final class DeployConfigJson {
    /** Far above any real configuration; HTTP servers cap headers at 8–16 KiB anyway. */
    static final int MAX_HEADER_LENGTH = 64 * 1024;

    private final ObjectMapper mapper;

    DeployConfigJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] encode(DeployConfig config) {
        ObjectNode node = mapper.createObjectNode();
        node.put("memory_mb", config.memoryMb());
        node.put("timeout_secs", config.timeoutSecs());
        node.put("max_concurrency", config.maxConcurrency());
        ObjectNode env = node.putObject("env_vars");
        config.envVars().forEach(env::put);
        config.workerMode().ifPresent(m -> node.put("worker_mode", m.wireName()));
        if (config.keepWarm() > 0) {
            node.put("keep_warm", config.keepWarm());
        }
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON in memory", e);
        }
    }

    String encodeHeader(DeployConfig config) {
        return Base64.getEncoder().encodeToString(encode(config));
    }

    DeployConfig decodeHeader(String headerValue) {
        String where = DeployConfig.HEADER;
        if (headerValue == null || headerValue.isBlank()) {
            throw invalid(where + " is empty");
        }
        String value = headerValue.strip();
        if (value.length() > MAX_HEADER_LENGTH) {
            throw invalid(where + " is longer than " + MAX_HEADER_LENGTH + " characters");
        }
        byte[] json;
        try {
            json = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw invalid(where + " is not valid base64: " + e.getMessage());
        }
        return decode(json, where);
    }

    DeployConfig decode(byte[] json, String where) {
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw invalid(where + " is not valid JSON" + location(e));
        }
        if (root == null || root.isMissingNode()) {
            throw invalid(where + " holds no JSON: expected an object");
        }
        if (!root.isObject()) {
            throw invalid(where + " must hold a JSON object, was " + TreeFields.describe(root));
        }
        return read(new TreeFields(root), root.get("env_vars"));
    }

    private DeployConfig read(TreeFields f, JsonNode envNode) {
        FaasConfig defaults = FaasConfig.defaults();
        List<String> violations = new ArrayList<>();
        long memory = collect(violations, () -> f.optInteger("memory_mb"), defaults.memoryMb());
        long timeout = collect(violations, () -> f.optInteger("timeout_secs"), defaults.timeoutSeconds());
        long concurrency = collect(violations, () -> f.optInteger("max_concurrency"), defaults.maxConcurrency());
        long keepWarm = collect(violations, () -> f.optInteger("keep_warm"), 0);
        Map<String, String> env = readEnv(envNode, violations);
        Optional<WorkerMode> mode = Optional.empty();
        try {
            Optional<String> raw = f.optString("worker_mode");
            if (raw.isPresent()) {
                mode = WorkerMode.fromWireName(raw.get());
                if (mode.isEmpty()) {
                    violations.add(DeployConfig.workerModeViolation(raw.get()));
                }
            }
        } catch (TreeFields.Problem p) {
            violations.add(p.getMessage());
        }
        violations.addAll(DeployConfig.violations(memory, timeout, concurrency, env, keepWarm));
        if (!violations.isEmpty()) {
            throw DeployConfig.invalid("invalid " + DeployConfig.HEADER, violations);
        }
        return new DeployConfig((int) memory, Duration.ofSeconds(timeout), (int) concurrency, env, mode,
                (int) keepWarm);
    }

    private static long collect(List<String> violations, Supplier<OptionalLong> read, long fallback) {
        try {
            return read.get().orElse(fallback);
        } catch (TreeFields.Problem p) {
            violations.add(p.getMessage());
            return fallback;
        }
    }

    private static Map<String, String> readEnv(JsonNode node, List<String> violations) {
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return env;
        }
        if (!node.isObject()) {
            violations.add("env_vars must be an object of strings, was " + TreeFields.describe(node));
            return env;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isTextual()) {
                env.put(e.getKey(), e.getValue().textValue());
            } else {
                violations.add("env_vars." + e.getKey() + " must be a string, was "
                        + TreeFields.describe(e.getValue()));
            }
        }
        return env;
    }

    /** Where the JSON broke; never the text itself, which may hold secrets from {@code env_vars}. */
    private static String location(IOException e) {
        if (e instanceof JsonProcessingException p && p.getLocation() != null && p.getLocation().getLineNr() > 0) {
            return " (at line " + p.getLocation().getLineNr() + ", column " + p.getLocation().getColumnNr() + ")";
        }
        return "";
    }

    private static dev.faasx.core.InvalidRequestException invalid(String violation) {
        return DeployConfig.invalid("invalid " + DeployConfig.HEADER, List.of(violation));
    }
}
