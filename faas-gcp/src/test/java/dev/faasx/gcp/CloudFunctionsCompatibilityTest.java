package dev.faasx.gcp;

import com.google.cloud.functions.v2.FunctionServiceClient;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.gcp.local.LocalCloudFunctions;
import dev.faasx.gcp.support.FunctionJars;
import dev.faasx.gcp.support.LocalGcp;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The compatibility kit against the local Cloud Functions emulator: the real Google client over gRPC, ID tokens
 * from google-auth, and the faasx adapter running in Google's Functions Framework invoker, one JVM per function.
 */
@DisplayName("CloudFunctionsExecutor passes the compatibility kit (fat JAR on the emulated java21 runtime)")
class CloudFunctionsCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final LocalCloudFunctions gcf = LocalCloudFunctions.start();
    private final FunctionServiceClient client = LocalGcp.client(gcf);
    private final CloudFunctionsExecutor executor = LocalGcp.executor(gcf, client).build();

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return FunctionJars.jar(CompatibilityFunction.class);
    }

    /** A 5 s timeout: a fresh invoker JVM's first call on a loaded 2-core machine can take more than the kit's 3 s. */
    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().timeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    void stopEmulator() {
        client.close();
        gcf.close();
    }
}
