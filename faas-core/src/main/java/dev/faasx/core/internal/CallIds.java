package dev.faasx.core.internal;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates call ids that are unique across processes (a random per-generator prefix) and cheap to make (a
 * counter). One generator lives in each {@code JobCall} class loader; ids look like {@code 9f2c4e1ab07d55e3-1a}.
 */
public final class CallIds {
    private static final CallIds SHARED = new CallIds();

    private final String prefix;
    private final AtomicLong counter = new AtomicLong();

    private CallIds() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        this.prefix = HexFormat.of().formatHex(random) + "-";
    }

    /** The generator used by {@code JobCall.of}; stateless apart from its counter. */
    public static CallIds shared() {
        return SHARED;
    }

    public String next() {
        return prefix + Long.toHexString(counter.incrementAndGet());
    }
}
