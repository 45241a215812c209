package dev.faasx.cloudflare;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.cloudflare.support.Workerd;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The executor compatibility kit against {@link LocalCloudflareApi}: every call goes through Cloudflare's API shape
 * and runs the JavaScript compatibility Worker ({@code workers/compatibility.js}) on real workerd. Skipped when
 * workerd is neither found nor installable.
 */
@DisplayName("CloudflareWorkersExecutor against the local Cloudflare API")
class CloudflareWorkersCompatibilityTest extends FaasExecutorCompatibilityKit {
    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    // Replaced in start(); a placeholder that is never called keeps the kit's cleanup safe when the class is skipped.
    private CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
            .credentials(CloudflareCredentials.apiToken("unused", "unused")).build();

    @BeforeAll
    void start() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(Workerd.binary()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).build();
        executor = LocalCloudflare.executor(api).build();
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (runtime != null) {
            runtime.close();
        }
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
