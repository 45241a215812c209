package dev.faasx.cloudflare.internal.local;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;

/**
 * Checks Cloudflare's two authentication schemes: {@code Authorization: Bearer <token>}, or {@code X-Auth-Email} with
 * {@code X-Auth-Key}. Secrets are compared in constant time.
 */
final class LocalAuth {
    private final List<byte[]> tokens;
    private final List<Map.Entry<byte[], byte[]>> keys;

    LocalAuth(List<String> tokens, Map<String, String> emailToKey) {
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.keys = emailToKey.entrySet().stream()
                .map(e -> Map.entry(e.getKey().getBytes(StandardCharsets.UTF_8),
                        e.getValue().getBytes(StandardCharsets.UTF_8)))
                .toList();
    }

    /** Checks the request's credentials; true when it authenticated with an API token (not a global API key). */
    boolean check(Headers headers) throws ApiError {
        String authorization = headers.getFirst("Authorization");
        String email = headers.getFirst("X-Auth-Email");
        String key = headers.getFirst("X-Auth-Key");
        if (authorization != null) {
            if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7) || authorization.length() <= 7) {
                throw new ApiError(400, 6003, "Invalid request headers: invalid format for Authorization header");
            }
            byte[] presented = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (byte[] token : tokens) {
                ok |= MessageDigest.isEqual(token, presented);
            }
            if (!ok) {
                throw new ApiError(403, 10000, "Authentication error");
            }
            return true;
        }
        if (email == null && key == null) {
            throw new ApiError(400, 9106, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
        }
        if (email == null || key == null) {
            throw new ApiError(400, 9106, "Missing " + (email == null ? "X-Auth-Email" : "X-Auth-Key")
                    + " header (X-Auth-Email and X-Auth-Key go together)");
        }
        byte[] e = email.strip().getBytes(StandardCharsets.UTF_8);
        byte[] k = key.strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (Map.Entry<byte[], byte[]> pair : keys) {
            ok |= MessageDigest.isEqual(pair.getKey(), e) & MessageDigest.isEqual(pair.getValue(), k);
        }
        if (!ok) {
            throw new ApiError(403, 9103, "Unknown X-Auth-Key or X-Auth-Email");
        }
        return false;
    }
}
