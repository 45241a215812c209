package dev.faasx.azure.local.internal;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Function and host keys shaped like the Functions host's: 40 URL-safe base64 characters plus {@code ==}. */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {
    }

    public static String newKey() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes) + "==";
    }

    /** Compares a presented key with an expected one in time that does not depend on where they differ. */
    public static boolean matches(String presented, String expected) {
        if (presented == null || expected == null) {
            return false;
        }
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }
}
