package dev.faasx.cloudflare;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.cloudflare.support.RealCloudflare;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/** The executor compatibility kit on a real Cloudflare account; opt-in only (see {@link RealCloudflare}). */
@DisplayName("CloudflareWorkersExecutor on Cloudflare")
class RealCloudflareCompatibilityTest extends FaasExecutorCompatibilityKit {
    // Replaced in start(); a placeholder that is never called keeps the kit's cleanup safe when the class is skipped.
    private CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
            .credentials(CloudflareCredentials.apiToken("unused", "unused")).build();

    @BeforeAll
    void start() {
        executor = RealCloudflare.executor(RealCloudflare.credentialsOrSkip());
    }

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return LocalCloudflare.compatibilityWorker();
    }
}
