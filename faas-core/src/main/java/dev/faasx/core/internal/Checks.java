package dev.faasx.core.internal;

import java.time.Duration;
import java.util.Map;

/**
 * Argument checks shared by the value types and the builders. Every builder in faasx refuses a bad setting with an
 * {@link IllegalArgumentException} whose message names the setting and the value it got.
 */
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

    /** {@code value} when it is positive; otherwise an {@link IllegalArgumentException} naming {@code name}. */
    public static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    /** {@code value} when it is zero or positive; otherwise an {@link IllegalArgumentException} naming {@code name}. */
    public static Duration notNegative(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }
}
