package dev.faasx.gcp.local.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.ServiceAccountCredentials;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TokenServiceTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final TokenService tokens = new TokenService(new ObjectMapper(), clock, Duration.ofMinutes(60), "demo-project");

    @Test
    void anIssuedTokenAdmitsItsAudienceUntilItExpires() throws Exception {
        ServiceAccountCredentials credentials = ServiceAccountCredentials.fromStream(
                new ByteArrayInputStream(tokens.credentialsJson("http://127.0.0.1:1/token")));
        assertThat(credentials.getClientEmail()).isEqualTo(tokens.clientEmail());
        String token = tokens.exchange(assertion(credentials));
        assertThat(tokens.rejection(token, "http://127.0.0.1:9")).isEmpty();
        assertThat(tokens.rejection(token, "http://127.0.0.1:8")).hasValueSatisfying(r -> assertThat(r).contains("audience"));
        now.set(now.get().plus(Duration.ofMinutes(61)));
        assertThat(tokens.rejection(token, "http://127.0.0.1:9")).hasValueSatisfying(r -> assertThat(r).contains("expired"));
        assertThat(tokens.issuedTokens()).isEqualTo(1);
    }

    @Test
    void aTamperedTokenIsRefused() throws Exception {
        ServiceAccountCredentials credentials = ServiceAccountCredentials.fromStream(
                new ByteArrayInputStream(tokens.credentialsJson("http://127.0.0.1:1/token")));
        String token = tokens.exchange(assertion(credentials));
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                "{\"aud\":\"http://127.0.0.1:9\",\"exp\":99999999999}".getBytes()) + "." + parts[2];
        assertThat(tokens.rejection(forged, "http://127.0.0.1:9")).isPresent();
        assertThatThrownBy(() -> tokens.exchange(token)).isInstanceOf(IllegalArgumentException.class);
    }

    /** The assertion google-auth would post: a JWT signed with the service account's key. */
    private String assertion(ServiceAccountCredentials credentials) throws Exception {
        com.google.api.client.json.webtoken.JsonWebSignature.Header header =
                new com.google.api.client.json.webtoken.JsonWebSignature.Header().setAlgorithm("RS256").setType("JWT");
        com.google.api.client.json.webtoken.JsonWebToken.Payload payload =
                new com.google.api.client.json.webtoken.JsonWebToken.Payload()
                        .setIssuer(credentials.getClientEmail()).setSubject(credentials.getClientEmail())
                        .setAudience("http://127.0.0.1:1/token")
                        .setIssuedAtTimeSeconds(now.get().getEpochSecond())
                        .setExpirationTimeSeconds(now.get().getEpochSecond() + 3600);
        payload.set("target_audience", "http://127.0.0.1:9");
        return com.google.api.client.json.webtoken.JsonWebSignature.signUsingRsaSha256(credentials.getPrivateKey(),
                com.google.api.client.json.gson.GsonFactory.getDefaultInstance(), header, payload);
    }
}
