package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * A deployed action: what OpenWhisk stores for it. {@code code} is the text of the action, or the base64 of a zip
 * when {@code binary}. {@code revision} is unique per update, so that warm instances of an older version are never
 * reused.
 *
 * @param initEnv the parameters marked {@code init}: the action's environment
 * @param params  the other parameters: defaults merged under each invocation's
 */
record ActionRecord(String namespace, String name, String version, long revision, String kind, String main,
                    boolean binary, String code, Limits limits, ArrayNode parameters, ArrayNode annotations,
                    Map<String, String> initEnv, ObjectNode params, long updated) {

    /** OpenWhisk's action limits, in its units. */
    record Limits(long timeoutMs, int memoryMb, int logsMb, int concurrency) {
        ObjectNode toJson(ObjectMapper json) {
            ObjectNode l = json.createObjectNode();
            l.put("timeout", timeoutMs);
            l.put("memory", memoryMb);
            l.put("logs", logsMb);
            l.put("concurrency", concurrency);
            return l;
        }
    }

    /** The action as OpenWhisk's API answers it; {@code withCode} adds the code itself. */
    ObjectNode toJson(ObjectMapper json, boolean withCode) {
        ObjectNode a = json.createObjectNode();
        a.put("namespace", namespace);
        a.put("name", name);
        a.put("version", version);
        ObjectNode exec = a.putObject("exec");
        exec.put("kind", kind);
        if (withCode) {
            exec.put("code", code);
        }
        exec.put("binary", binary);
        if (main != null) {
            exec.put("main", main);
        }
        a.set("annotations", annotationsWithExec(json));
        a.set("limits", limits.toJson(json));
        a.set("parameters", parameters.deepCopy());
        a.put("publish", false);
        a.put("updated", updated);
        return a;
    }

    private ArrayNode annotationsWithExec(ObjectMapper json) {
        ArrayNode out = json.createArrayNode();
        for (JsonNode n : annotations) {
            if (!"exec".equals(n.path("key").asText())) {
                out.add(n.deepCopy());
            }
        }
        out.addObject().put("key", "exec").put("value", kind.substring(0, kind.indexOf(':')));
        return out;
    }
}
