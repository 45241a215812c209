package dev.faasx.digitalocean.local.internal;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Random identifiers in OpenWhisk's and DigitalOcean's shapes. Thread-safe. */
final class Ids {
    private static final char[] ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private final SecureRandom random = new SecureRandom();

    /** 32 lowercase hex digits, like an OpenWhisk activation id. */
    String activationId() {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Letters and digits, for transaction ids and API keys. */
    String alphanumeric(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALNUM[random.nextInt(ALNUM.length)]);
        }
        return sb.toString();
    }
}
