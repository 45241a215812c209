package dev.faasx.digitalocean;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.digitalocean.local.LocalDigitalOcean;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import java.time.Duration;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The compatibility kit against the local emulator: the native bootstrap (a JVM running the compatibility function,
 * as a persistent worker) runs inside the real generated python wrapper, in python instances the emulator starts
 * and keeps warm.
 */
@ExtendWith(DigitalOceanCompatibilityTest.OneMebibyteIsOverTheLimit.class)
class DigitalOceanCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final LocalDigitalOcean local = LocalDigitalOcean.builder().build();
    private final DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
            .apiBaseUrl(local.baseUrl()).token(local.token()).build();

    @Override
    protected FaasExecutor executor() {
        return new ClosingBoth(executor, local);
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return TestFunctions.compatibilityFunction();
    }

    /**
     * 20 s instead of 3: each new instance starts a JVM, and 16 at once take long on a busy two-core machine. The
     * bootstrap runs as a persistent worker, so a warm instance answers without starting a JVM again (the
     * per-call process mode is covered by {@code DigitalOceanFunctionsExecutorTest}).
     */
    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().timeout(Duration.ofSeconds(20))
                .providerOption(DigitalOceanFunctionsExecutor.WORKER_MODE_OPTION, "persistent").build();
    }

    /**
     * DigitalOcean accepts at most 1 MB of parameters, and 1 MiB of bytes is 1.4 MB once base64-encoded: the
     * executor refuses such a call before sending it (see {@code DigitalOceanFunctionsExecutorTest}).
     */
    static final class OneMebibyteIsOverTheLimit implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().filter(m -> m.getName().equals("carriesOneMebibyte")).isPresent()
                    ? ConditionEvaluationResult.disabled("DigitalOcean Functions limits parameters to 1 MB")
                    : ConditionEvaluationResult.enabled("within DigitalOcean's limits");
        }
    }

    /** The executor, closing the emulator after it when the kit closes it. */
    private record ClosingBoth(DigitalOceanFunctionsExecutor delegate, LocalDigitalOcean local)
            implements FaasExecutor {
        @Override
        public String providerName() {
            return delegate.providerName();
        }

        @Override
        public java.util.Set<dev.faasx.core.PackageKind> supportedPackageKinds() {
            return delegate.supportedPackageKinds();
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.faasx.core.Invocation> invokeWithMetrics(
                dev.faasx.core.JobCall call) {
            return delegate.invokeWithMetrics(call);
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.faasx.core.FaasDeployment> deploy(long jobId,
                FunctionPackage functionPackage, FaasConfig config) {
            return delegate.deploy(jobId, functionPackage, config);
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.faasx.core.FaasHealth> healthCheck(long jobId) {
            return delegate.healthCheck(jobId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> warm(long jobId) {
            return delegate.warm(jobId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.faasx.core.FaasDeployment> getDeployment(long jobId) {
            return delegate.getDeployment(jobId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> undeploy(long jobId) {
            return delegate.undeploy(jobId);
        }

        @Override
        public void close() {
            delegate.close();
            local.close();
        }
    }
}
