package dev.faasx.azure;

import dev.faasx.azure.support.AzurePackages;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import dev.faasx.testkit.FunctionEnvironment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import java.time.Duration;

/**
 * The compatibility kit against real Azure Functions. Opt-in: runs only with {@code FAASX_AZURE_IT=true}, and then
 * needs {@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_RESOURCE_GROUP}, {@code AZURE_REGION}, a credential that
 * {@code DefaultAzureCredential} finds (for example {@code AZURE_CLIENT_ID}, {@code AZURE_CLIENT_SECRET},
 * {@code AZURE_TENANT_ID}) with Contributor on the resource group, and
 * {@code FAASX_AZURE_STORAGE_CONNECTION_STRING} for the function apps' {@code AzureWebJobsStorage}. It creates (and
 * deletes) one function app per test, which takes minutes each and costs a little.
 */
@EnabledIfEnvironmentVariable(named = "FAASX_AZURE_IT", matches = "true")
@DisplayName("AzureFunctionsExecutor passes the compatibility kit on real Azure (FAASX_AZURE_IT=true)")
class RealAzureCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final AzureFunctionsExecutor executor = AzureFunctionsExecutor.builder()
            .storageConnectionString(System.getenv("FAASX_AZURE_STORAGE_CONNECTION_STRING"))
            .deployTimeout(Duration.ofMinutes(15))
            .build();
    private final AzurePackages packages = new AzurePackages();

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return packages.jar(CompatibilityFunction.class, FunctionEnvironment.class);
    }

    /** A cold JVM on a consumption instance takes seconds: give calls 20 s instead of the kit's 3 s. */
    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().timeout(Duration.ofSeconds(20)).build();
    }
}
