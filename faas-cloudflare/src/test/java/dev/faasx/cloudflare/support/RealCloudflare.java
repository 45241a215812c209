package dev.faasx.cloudflare.support;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.cloudflare.CloudflareWorkersExecutor;
import java.time.Duration;

/**
 * The opt-in for tests against a real Cloudflare account: they run only with {@code FAASX_CLOUDFLARE_IT=true} and
 * credentials in the environment ({@code CLOUDFLARE_ACCOUNT_ID} with {@code CLOUDFLARE_API_TOKEN}, or with
 * {@code CLOUDFLARE_EMAIL} and {@code CLOUDFLARE_API_KEY}). The account needs a workers.dev subdomain and Analytics
 * Engine.
 */
public final class RealCloudflare {
    public static final String OPT_IN = "FAASX_CLOUDFLARE_IT";

    private RealCloudflare() {
    }

    /** Skips the calling test (class) unless the opt-in and the credentials are there. */
    public static CloudflareCredentials credentialsOrSkip() {
        assumeTrue("true".equals(System.getenv(OPT_IN)), "set " + OPT_IN
                + "=true (and Cloudflare credentials) to run tests against a real Cloudflare account");
        return CloudflareCredentials.fromEnvironment();
    }

    /** An executor for the real account, patient enough for workers.dev to come up. */
    public static CloudflareWorkersExecutor executor(CloudflareCredentials credentials) {
        return CloudflareWorkersExecutor.builder().credentials(credentials)
                .scriptNamePrefix("faasx-it-")
                .readinessTimeout(Duration.ofMinutes(3))
                .build();
    }
}
