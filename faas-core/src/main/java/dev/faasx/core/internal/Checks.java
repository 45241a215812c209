package dev.faasx.core.internal;

import java.util.Map;

/** Argument checks shared by the value types. */
public final class Checks {
    private Checks() {
    }

    /** An immutable copy of {@code map} that rejects null keys and values with a message naming {@code what}. */
    public static Map<String, String> copyOfStrings(Map<String, String> map, String what) {
        if (map == null || map.isEmpty()) {
            return Map.of();
        }
        for (Map.Entry<String, String> e : map.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(what + " must not contain null keys or values");
            }
        }
        return Map.copyOf(map);
    }
}
