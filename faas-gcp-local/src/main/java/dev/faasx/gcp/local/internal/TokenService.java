package dev.faasx.gcp.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulator's stand-in for Google's token service and the identity check in front of each function.
 *
 * <p>It makes a service-account key (an RSA key pair) whose JSON key file points {@code token_uri} at the emulator,
 * so that google-auth's {@code ServiceAccountCredentials} loaded from it can obtain ID tokens locally: the
 * credentials sign a JWT assertion with the private key and post it to {@code token_uri}; this service checks the
 * assertion's signature, issuer and expiry, and answers an ID token (an RS256 JWT signed with the emulator's own
 * issuer key) for the requested audience. Functions accept only ID tokens this service signed, for their own URL,
 * and not yet expired. Thread-safe.
 */
public final class TokenService {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64URL_DECODER = Base64.getUrlDecoder();
    static final String ISSUER = "https://accounts.google.com";

    private final ObjectMapper json;
    private final Clock clock;
    private final Duration lifetime;
    private final KeyPair accountKey;
    private final KeyPair issuerKey;
    private final String keyId;
    private final String clientEmail;
    private final String projectId;
    private final AtomicLong issued = new AtomicLong();

    public TokenService(ObjectMapper json, Clock clock, Duration lifetime, String projectId) {
        this.json = json;
        this.clock = clock;
        this.lifetime = lifetime;
        this.projectId = projectId;
        this.accountKey = rsaKeyPair();
        this.issuerKey = rsaKeyPair();
        this.keyId = HexFormat.of().formatHex(sha256(accountKey.getPublic().getEncoded()), 0, 20);
        this.clientEmail = "faasx-local@" + projectId + ".iam.gserviceaccount.com";
    }

    /** The service account's e-mail address, the subject of every token issued. */
    public String clientEmail() {
        return clientEmail;
    }

    /** How many ID tokens have been issued. */
    public long issuedTokens() {
        return issued.get();
    }

    /** A service-account JSON key file whose {@code token_uri} is {@code tokenUri}. */
    public byte[] credentialsJson(String tokenUri) {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(accountKey.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ObjectNode node = json.createObjectNode()
                .put("type", "service_account")
                .put("project_id", projectId)
                .put("private_key_id", keyId)
                .put("private_key", pem)
                .put("client_email", clientEmail)
                .put("client_id", "100000000000000000001")
                .put("auth_uri", tokenUri)
                .put("token_uri", tokenUri);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Answers a JWT-bearer grant: an ID token for the assertion's {@code target_audience}.
     *
     * @throws IllegalArgumentException naming what is wrong with the assertion
     */
    public String exchange(String assertion) {
        JsonNode claims = verified(assertion, accountKey.getPublic())
                .orElseThrow(() -> new IllegalArgumentException("invalid JWT signature or format"));
        long now = clock.instant().getEpochSecond();
        if (!clientEmail.equals(claims.path("iss").asText())) {
            throw new IllegalArgumentException("unknown service account " + claims.path("iss").asText());
        }
        if (claims.path("exp").asLong(0) < now) {
            throw new IllegalArgumentException("the assertion has expired");
        }
        String audience = claims.path("target_audience").asText("");
        if (audience.isEmpty()) {
            throw new IllegalArgumentException("the assertion has no target_audience: only ID tokens are issued here");
        }
        ObjectNode token = json.createObjectNode()
                .put("iss", ISSUER)
                .put("aud", audience)
                .put("azp", clientEmail)
                .put("sub", "100000000000000000001")
                .put("email", clientEmail)
                .put("email_verified", true)
                .put("iat", now)
                .put("exp", now + lifetime.toSeconds());
        issued.incrementAndGet();
        return sign(token, issuerKey.getPrivate(), "faasx-local-issuer");
    }

    /** Why {@code bearerToken} does not admit a caller to {@code audience}, or empty when it does. */
    public Optional<String> rejection(String bearerToken, String audience) {
        Optional<JsonNode> claims = verified(bearerToken, issuerKey.getPublic());
        if (claims.isEmpty()) {
            return Optional.of("the token is not an ID token issued by this emulator");
        }
        JsonNode c = claims.get();
        if (!audience.equals(c.path("aud").asText())) {
            return Optional.of("the token's audience is not this function's URL");
        }
        if (c.path("exp").asLong(0) <= clock.instant().getEpochSecond()) {
            return Optional.of("the token has expired");
        }
        return Optional.empty();
    }

    private String sign(ObjectNode claims, PrivateKey key, String kid) {
        try {
            ObjectNode header = json.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", kid);
            String content = B64URL.encodeToString(json.writeValueAsBytes(header)) + "."
                    + B64URL.encodeToString(json.writeValueAsBytes(claims));
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(content.getBytes(StandardCharsets.US_ASCII));
            return content + "." + B64URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private Optional<JsonNode> verified(String jwt, PublicKey key) {
        if (jwt == null || jwt.length() > 16_384) {
            return Optional.empty();
        }
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            JsonNode header = json.readTree(B64URL_DECODER.decode(parts[0]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return Optional.empty();
            }
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(B64URL_DECODER.decode(parts[2]))) {
                return Optional.empty();
            }
            JsonNode claims = json.readTree(B64URL_DECODER.decode(parts[1]));
            return claims != null && claims.isObject() ? Optional.of(claims) : Optional.empty();
        } catch (IllegalArgumentException | java.io.IOException | GeneralSecurityException e) {
            return Optional.empty();
        }
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
