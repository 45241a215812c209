package dev.faasx.cloudflare;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executor compatibility kit against {@link LocalCloudflareApi}: every call goes through Cloudflare's API shape
 * and runs the JavaScript compatibility Worker ({@code workers/compatibility.js}) on real workerd. Skipped when
 * workerd is neither found nor installable. The API runs through {@link LocalCloudflareExtension}, as a user's test
 * would start it.
 */
@DisplayName("CloudflareWorkersExecutor against the local Cloudflare API")
class CloudflareWorkersCompatibilityTest extends FaasExecutorCompatibilityKit {
    @RegisterExtension
    static final LocalCloudflareExtension CLOUDFLARE = LocalCloudflareExtension.create();

    // Replaced in start(); a placeholder that is never called keeps the kit's cleanup safe when the class is skipped.
    private CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
            .credentials(CloudflareCredentials.apiToken("unused", "unused")).build();

    @BeforeAll
    void start() {
        executor = LocalCloudflare.executor(CLOUDFLARE.api()).build();
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
