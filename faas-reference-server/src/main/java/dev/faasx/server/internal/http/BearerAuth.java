package dev.faasx.server.internal.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer KEY} against the configured API key. Both sides are hashed with SHA-256 and
 * compared with {@link MessageDigest#isEqual}, so the comparison takes the same time whatever the key's length or
 * content. The key itself is never kept or logged. Thread-safe.
 */
final class BearerAuth {
    private static final String PREFIX = "Bearer ";

    private final Optional<byte[]> keyDigest;

    BearerAuth(Optional<String> apiKey) {
        this.keyDigest = apiKey.map(BearerAuth::sha256);
    }

    boolean isRequired() {
        return keyDigest.isPresent();
    }

    /** Whether the request may pass: no key is configured, or {@code authorization} carries it. */
    boolean permits(String authorization) {
        if (keyDigest.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        String presented = authorization.substring(PREFIX.length()).trim();
        return MessageDigest.isEqual(keyDigest.get(), sha256(presented));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
