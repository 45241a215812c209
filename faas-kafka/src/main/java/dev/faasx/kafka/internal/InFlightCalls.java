package dev.faasx.kafka.internal;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls the runner has taken and not yet returned a result for, by call id. Producers may send two records
 * with the same call id; both are tracked, and each result settles the oldest of them.
 *
 * <p>Thread-safe.
 */
final class InFlightCalls {
    private final ConcurrentHashMap<String, Object> calls = new ConcurrentHashMap<>();

    void add(PendingCall call) {
        calls.merge(call.call().callId(), call, (old, added) -> {
            ArrayDeque<PendingCall> queue = old instanceof PendingCall p ? queueOf(p) : cast(old);
            queue.addLast((PendingCall) added);
            return queue;
        });
    }

    /** Removes and returns the (oldest) call with this id; null when none is in flight. */
    PendingCall remove(String callId) {
        PendingCall[] taken = new PendingCall[1];
        calls.computeIfPresent(callId, (id, value) -> {
            if (value instanceof PendingCall p) {
                taken[0] = p;
                return null;
            }
            ArrayDeque<PendingCall> queue = cast(value);
            taken[0] = queue.pollFirst();
            return queue.isEmpty() ? null : queue;
        });
        return taken[0];
    }

    int size() {
        return calls.size();
    }

    private static ArrayDeque<PendingCall> queueOf(PendingCall first) {
        ArrayDeque<PendingCall> queue = new ArrayDeque<>(2);
        queue.add(first);
        return queue;
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<PendingCall> cast(Object value) {
        return (ArrayDeque<PendingCall>) value;
    }
}
