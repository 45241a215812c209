package dev.faasx.aws;

import dev.faasx.aws.local.LocalLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;

/**
 * The compatibility kit against the local Lambda emulator, with the compatibility function deployed as a JAR on the
 * managed Java runtime: the real SDK client, and real child JVMs in which AWS's runtime interface client (the code of
 * Lambda's managed Java runtimes) runs {@code LambdaJobHandler}.
 */
@DisplayName("LambdaExecutor passes the compatibility kit (JAR under AWS's runtime interface client, local Lambda"
        + " emulator)")
class LambdaCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final LocalLambda fake = Executors.emulator().build();
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

    /**
     * The kit's configuration with an 8 s timeout instead of 3 s: the emulator runs every environment on this machine's
     * CPUs, and the first call of a fresh JVM among 16 starting at once can take seconds on a loaded 2-core machine,
     * where Lambda would give each environment its own share.
     */
    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().timeout(Duration.ofSeconds(8)).build();
    }

    /** Sixteen concurrent calls start sixteen JVMs on this machine's two cores; Lambda would give each its own. */
    @Override
    protected Duration concurrentCallsWait() {
        return Duration.ofMinutes(3);
    }

    @AfterAll
    void stopFake() {
        fake.close();
    }
}
