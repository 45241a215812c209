package dev.faasx.digitalocean.local.internal;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** The account's namespaces, by name and by the uuid of their credentials. Thread-safe. */
final class Account {
    private final Ids ids;
    private final Map<String, NamespaceState> byName = new LinkedHashMap<>();
    private final Map<String, NamespaceState> byUuid = new ConcurrentHashMap<>();

    Account(Ids ids) {
        this.ids = ids;
    }

    /** Creates a namespace with fresh credentials. */
    synchronized NamespaceRecord create(String label, String region) {
        NamespaceRecord r = new NamespaceRecord("fn-" + UUID.randomUUID(), label, region, UUID.randomUUID().toString(),
                ids.alphanumeric(64), Instant.now());
        NamespaceState state = new NamespaceState(r);
        byName.put(r.namespace(), state);
        byUuid.put(r.uuid(), state);
        return r;
    }

    /** Creates a namespace unless the account has {@code limit} already ({@code null} then). */
    synchronized NamespaceRecord createWithin(int limit, String label, String region) {
        return byName.size() >= limit ? null : create(label, region);
    }

    synchronized NamespaceState get(String name) {
        return byName.get(name);
    }

    synchronized List<NamespaceState> list() {
        return List.copyOf(byName.values());
    }

    synchronized void remove(NamespaceState state) {
        byName.remove(state.record.namespace());
        byUuid.remove(state.record.uuid());
    }

    NamespaceState byUuid(String uuid) {
        return byUuid.get(uuid);
    }
}
