package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/**
 * One DigitalOcean Functions namespace: its OpenWhisk name ({@code fn-…}), label, region and the action credentials
 * ({@code uuid:key}, HTTP Basic on the OpenWhisk API).
 */
record NamespaceRecord(String namespace, String label, String region, String uuid, String key, Instant createdAt) {

    /** The namespace as DigitalOcean's API describes it. */
    ObjectNode toJson(ObjectMapper json, String apiHost) {
        ObjectNode n = json.createObjectNode();
        n.put("api_host", apiHost);
        n.put("namespace", namespace);
        n.put("created_at", createdAt.toString());
        n.put("updated_at", createdAt.toString());
        n.put("label", label);
        n.put("region", region);
        n.put("uuid", uuid);
        n.put("key", key);
        return n;
    }
}
