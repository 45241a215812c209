package dev.faasx.aws;

import dev.faasx.aws.fake.FakeLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The compatibility kit against the local Lambda fake, with the compatibility function deployed as a JAR on the
 * (emulated) managed Java runtime: real SDK client, real child JVMs running {@code LambdaJobHandler}.
 */
@DisplayName("LambdaExecutor passes the compatibility kit (JAR on the Java runtime, local Lambda fake)")
class LambdaCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final FakeLambda fake = FakeLambda.builder().build();
    private final LambdaExecutor executor = Executors.against(fake).build();
    private final LambdaPackages packages = new LambdaPackages();

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return packages.jar(CompatibilityFunction.class);
    }

    @AfterAll
    void stopFake() {
        fake.close();
    }
}
