package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.spec.DeleteResponse;
import dev.faasx.core.spec.DeployResponse;
import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.FunctionInfo;
import dev.faasx.core.spec.HealthResponse;
import dev.faasx.core.spec.WarmResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads and writes the management messages (deploy, info, health, warm, delete, error bodies) through Jackson's
 * tree model: they are small, and the tree makes every check name its field. Thread-safe.
 */
public final class ManagementJson {
    private final ObjectMapper mapper;

    public ManagementJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public byte[] encodeDeployResponse(DeployResponse r) {
        ObjectNode node = mapper.createObjectNode();
        putDeployFields(node, r);
        return write(node);
    }

    public DeployResponse decodeDeployResponse(byte[] json, ErrorContext context) {
        return decode(json, "deploy response", context, ManagementJson::readDeployFields);
    }

    public byte[] encodeFunctionInfo(FunctionInfo info) {
        ObjectNode node = mapper.createObjectNode();
        putDeployFields(node, info.deployment());
        info.deployedAt().ifPresent(t -> node.put("deployed_at", t.toString()));
        if (info.binarySizeBytes().isPresent()) {
            node.put("binary_size_bytes", info.binarySizeBytes().getAsLong());
        }
        return write(node);
    }

    public FunctionInfo decodeFunctionInfo(byte[] json, ErrorContext context) {
        return decode(json, "function info", context, f -> new FunctionInfo(readDeployFields(f),
                f.optInstant("deployed_at"), f.optLong("binary_size_bytes", 0, Long.MAX_VALUE)));
    }

    public byte[] encodeHealth(HealthResponse r) {
        ObjectNode node = mapper.createObjectNode();
        r.functionId().ifPresent(id -> node.put("function_id", id));
        node.put("status", r.status());
        r.lastInvocation().ifPresent(t -> node.put("last_invocation", t.toString()));
        if (r.totalInvocations().isPresent()) {
            node.put("total_invocations", r.totalInvocations().getAsLong());
        }
        r.error().ifPresent(e -> node.put("error", e));
        return write(node);
    }

    public HealthResponse decodeHealth(byte[] json, ErrorContext context) {
        return decode(json, "health response", context, f -> new HealthResponse(f.optString("function_id"),
                f.string("status"), f.optInstant("last_invocation"),
                f.optLong("total_invocations", 0, Long.MAX_VALUE), f.optString("error")));
    }

    public byte[] encodeWarm(WarmResponse r) {
        ObjectNode node = mapper.createObjectNode();
        node.put("function_id", r.functionId());
        node.put("status", r.status());
        node.put("instances_warmed", r.instancesWarmed());
        return write(node);
    }

    public WarmResponse decodeWarm(byte[] json, ErrorContext context) {
        return decode(json, "warm response", context, f -> new WarmResponse(f.string("function_id"),
                f.string("status"), (int) f.requiredLong("instances_warmed", 0, Integer.MAX_VALUE)));
    }

    public byte[] encodeDelete(DeleteResponse r) {
        ObjectNode node = mapper.createObjectNode();
        node.put("function_id", r.functionId());
        node.put("status", r.status());
        return write(node);
    }

    public DeleteResponse decodeDelete(byte[] json, ErrorContext context) {
        return decode(json, "delete response", context,
                f -> new DeleteResponse(f.string("function_id"), f.string("status")));
    }

    public ErrorBody decodeErrorBody(byte[] json, ErrorContext context) {
        return decode(json, "error body", context, ManagementJson::readErrorBody);
    }

    /**
     * Reads an error body leniently, for mapping a failed HTTP answer: any JSON object is accepted, and fields of
     * unexpected types are ignored. Empty when {@code json} is not a JSON object.
     */
    public Optional<JsonNode> readObjectLeniently(byte[] json) {
        try {
            JsonNode root = mapper.readTree(json);
            return root != null && root.isObject() ? Optional.of(root) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static ErrorBody readErrorBody(TreeFields f) {
        Map<String, String> details = f.textMap("details");
        // v1 error bodies may carry the function (or job) at the top level: {"error":"...","function_id":"job0"}.
        f.optText("function_id").ifPresent(v -> details.putIfAbsent("function_id", v));
        f.optText("job_id").ifPresent(v -> details.putIfAbsent("job_id", v));
        return new ErrorBody(f.string("error"), f.optString("code"), details);
    }

    private static DeployResponse readDeployFields(TreeFields f) {
        return new DeployResponse(f.string("function_id"), f.optUri("endpoint"), f.string("status"),
                f.optMillis("cold_start_ms"), f.optLong("memory_mb", 0, Long.MAX_VALUE), f.optSeconds("timeout_secs"));
    }

    private static void putDeployFields(ObjectNode node, DeployResponse r) {
        node.put("function_id", r.functionId());
        r.endpoint().ifPresent(uri -> node.put("endpoint", uri.toString()));
        node.put("status", r.status());
        r.coldStart().ifPresent(d -> node.put("cold_start_ms", roundedMillis(d)));
        if (r.memoryMb().isPresent()) {
            node.put("memory_mb", r.memoryMb().getAsLong());
        }
        r.timeout().ifPresent(d -> node.put("timeout_secs", d.getSeconds() + (d.getNano() > 0 ? 1 : 0)));
    }

    private static long roundedMillis(Duration d) {
        return d.plusNanos(500_000).toMillis();
    }

    private <T> T decode(byte[] json, String what, ErrorContext context, Function<TreeFields, T> reader) {
        MessageReading in = new MessageReading("invalid " + what, true, context);
        JsonNode root;
        try {
            root = mapper.readTree(json);
        } catch (IOException e) {
            throw in.malformed(e);
        }
        if (root == null || root.isMissingNode()) {
            throw in.fail("empty input: expected a JSON object");
        }
        if (!root.isObject()) {
            throw in.fail("expected a JSON object, found " + TreeFields.describe(root));
        }
        try {
            return reader.apply(new TreeFields(root));
        } catch (TreeFields.Problem | IllegalArgumentException e) {
            throw in.fail(e.getMessage());
        }
    }

    private byte[] write(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON in memory", e);
        }
    }
}
