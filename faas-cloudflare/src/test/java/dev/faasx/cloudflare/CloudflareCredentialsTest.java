package dev.faasx.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloudflareCredentialsTest {
    @Nested
    class FromTheEnvironment {
        @Test
        void usesAnApiTokenAsBearer() {
            CloudflareCredentials c = CloudflareCredentials.fromEnvironment(Map.of(
                    "CLOUDFLARE_ACCOUNT_ID", "abc123", "CLOUDFLARE_API_TOKEN", "tok-123"));

            assertThat(c.accountId()).isEqualTo("abc123");
            assertThat(c.scheme()).isEqualTo(CloudflareCredentials.Scheme.API_TOKEN);
            assertThat(c.authHeaders()).isEqualTo(Map.of("Authorization", "Bearer tok-123"));
        }

        @Test
        void usesAnEmailAndGlobalKeyAsXAuthHeaders() {
            CloudflareCredentials c = CloudflareCredentials.fromEnvironment(Map.of("CLOUDFLARE_ACCOUNT_ID", "abc",
                    "CLOUDFLARE_EMAIL", "ops@example.com", "CLOUDFLARE_API_KEY", "key-123"));

            assertThat(c.authHeaders()).isEqualTo(Map.of("X-Auth-Email", "ops@example.com", "X-Auth-Key",
                    "key-123"));
            assertThat(c.email()).contains("ops@example.com");
        }

        @Test
        void prefersTheTokenWhenBothAreGiven() {
            CloudflareCredentials c = CloudflareCredentials.fromEnvironment(Map.of("CLOUDFLARE_ACCOUNT_ID", "abc",
                    "CLOUDFLARE_API_TOKEN", "tok", "CLOUDFLARE_EMAIL", "e@x", "CLOUDFLARE_API_KEY", "k"));

            assertThat(c.scheme()).isEqualTo(CloudflareCredentials.Scheme.API_TOKEN);
        }

        @Test
        void namesEveryMissingVariable() {
            assertThatThrownBy(() -> CloudflareCredentials.fromEnvironment(Map.of()))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("CLOUDFLARE_ACCOUNT_ID is not set")
                    .hasMessageContaining("CLOUDFLARE_API_TOKEN is not set")
                    .satisfies(e -> assertThat(((InvalidRequestException) e).violations()).hasSize(2));
        }

        @Test
        void namesTheMissingHalfOfAGlobalKey() {
            assertThatThrownBy(() -> CloudflareCredentials.fromEnvironment(Map.of("CLOUDFLARE_ACCOUNT_ID", "abc",
                    "CLOUDFLARE_EMAIL", "ops@example.com")))
                    .hasMessageContaining("CLOUDFLARE_API_KEY is not set (CLOUDFLARE_EMAIL is");
            assertThatThrownBy(() -> CloudflareCredentials.fromEnvironment(Map.of("CLOUDFLARE_ACCOUNT_ID", "abc",
                    "CLOUDFLARE_API_KEY", "k")))
                    .hasMessageContaining("CLOUDFLARE_EMAIL is not set (CLOUDFLARE_API_KEY is");
            assertThatThrownBy(() -> CloudflareCredentials.fromEnvironment(Map.of("CLOUDFLARE_API_TOKEN", "t")))
                    .hasMessageContaining("CLOUDFLARE_ACCOUNT_ID is not set")
                    .hasMessageNotContaining("CLOUDFLARE_API_TOKEN is not set");
        }
    }

    @Nested
    class FromAFile {
        @Test
        void readsAccountAndTokenFromJson(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("cf.json");
            Files.writeString(file, "{\"account_id\":\"abc\",\"api_token\":\"tok\"}");

            assertThat(CloudflareCredentials.fromFile(file)).isEqualTo(CloudflareCredentials.apiToken("abc", "tok"));
        }

        @Test
        void namesTheMissingFieldAndTheFile(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("cf.json");
            Files.writeString(file, "{\"account_id\":\"abc\",\"email\":\"e@x\"}");

            assertThatThrownBy(() -> CloudflareCredentials.fromFile(file))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("api_key is not set")
                    .hasMessageContaining(file.toString());
        }

        @Test
        void reportsAFileThatIsNotJson(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("cf.json");
            Files.writeString(file, "account_id=abc");

            assertThatThrownBy(() -> CloudflareCredentials.fromFile(file)).isInstanceOf(InvalidRequestException.class);
        }
    }

    @Test
    void neverShowsTheSecret() {
        assertThat(CloudflareCredentials.apiToken("abc", "super-secret-token").toString())
                .doesNotContain("super-secret-token").contains("abc");
        assertThat(CloudflareCredentials.globalApiKey("abc", "e@x", "super-secret-key").toString())
                .doesNotContain("super-secret-key");
    }

    @Test
    void refusesSecretsThatWouldBreakAHeader() {
        assertThatThrownBy(() -> CloudflareCredentials.apiToken("abc", "tok\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudflareCredentials.apiToken("../other", "tok"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
