package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything one namespace holds: its actions, its finished activations (the newest {@value #MAX_ACTIVATIONS}),
 * and the counters of OpenWhisk's per-namespace limits (invocations per minute, activations in flight).
 * Thread-safe.
 */
final class NamespaceState {
    static final int MAX_ACTIVATIONS = 10_000;
    private static final long MINUTE_NANOS = 60_000_000_000L;

    final NamespaceRecord record;
    final Map<String, ActionRecord> actions = new ConcurrentHashMap<>();
    private final LinkedHashMap<String, ObjectNode> activations = new LinkedHashMap<>();
    private final Deque<Long> recentInvocations = new ArrayDeque<>();
    private int inFlight;

    NamespaceState(NamespaceRecord record) {
        this.record = record;
    }

    /** What admitting one more invocation would break, if anything; otherwise it is counted as admitted. */
    synchronized Admission admit(int perMinute, int concurrent) {
        long now = System.nanoTime();
        while (!recentInvocations.isEmpty() && now - recentInvocations.peekFirst() >= MINUTE_NANOS) {
            recentInvocations.pollFirst();
        }
        if (recentInvocations.size() >= perMinute) {
            long retryAfterNanos = MINUTE_NANOS - (now - recentInvocations.peekFirst());
            return new Admission(OwErrors.tooManyRequests(recentInvocations.size() + 1, perMinute),
                    OptionalLong.of(Math.max(1, (retryAfterNanos + 999_999_999L) / 1_000_000_000L)));
        }
        if (inFlight >= concurrent) {
            return new Admission(OwErrors.tooManyConcurrent(inFlight + 1, concurrent), OptionalLong.of(1));
        }
        recentInvocations.addLast(now);
        inFlight++;
        return null;
    }

    synchronized void finished(ObjectNode activation) {
        inFlight--;
        activations.put(activation.path("activationId").asText(), activation);
        if (activations.size() > MAX_ACTIVATIONS) {
            activations.remove(activations.keySet().iterator().next());
        }
    }

    synchronized ObjectNode activation(String id) {
        return activations.get(id);
    }

    /** The newest activations first, optionally of one action only. */
    synchronized List<ObjectNode> activations(String name, int skip, int limit) {
        List<ObjectNode> all = new ArrayList<>(activations.values());
        List<ObjectNode> out = new ArrayList<>();
        int skipped = 0;
        for (int i = all.size() - 1; i >= 0 && out.size() < limit; i--) {
            ObjectNode a = all.get(i);
            if (name != null && !name.equals(a.path("name").asText())) {
                continue;
            }
            if (skipped++ < skip) {
                continue;
            }
            out.add(a);
        }
        return out;
    }

    /** A refused invocation: OpenWhisk's message and how many seconds until a retry may pass. */
    record Admission(String message, OptionalLong retryAfterSeconds) {
    }
}
