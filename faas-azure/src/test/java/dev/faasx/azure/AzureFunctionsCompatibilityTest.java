package dev.faasx.azure;

import dev.faasx.azure.local.LocalAzure;
import dev.faasx.azure.support.AzurePackages;
import dev.faasx.azure.support.LocalExecutors;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import dev.faasx.testkit.FunctionEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The compatibility kit against the local emulator: the App Service SDK over Resource Manager and Kudu, and the
 * compatibility function deployed as a shaded JAR that the emulator's Functions host really runs as a custom handler
 * (a child JVM per function app).
 */
@DisplayName("AzureFunctionsExecutor passes the compatibility kit (JAR custom handler, local emulator)")
class AzureFunctionsCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final LocalAzure azure = LocalAzure.builder().build().start();
    private final AzureFunctionsExecutor executor = LocalExecutors.against(azure, "kit").build();
    private final AzurePackages packages = new AzurePackages();

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return packages.jar(CompatibilityFunction.class, FunctionEnvironment.class);
    }

    @AfterAll
    void stopEmulator() {
        azure.close();
    }
}
