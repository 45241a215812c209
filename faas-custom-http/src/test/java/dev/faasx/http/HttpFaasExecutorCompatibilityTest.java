package dev.faasx.http;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.server.ServerLimits;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import dev.faasx.testkit.ReferenceServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executor compatibility kit, run against the reference server embedded in this JVM. The compatibility
 * function is a Java {@code bootstrap} deployed in persistent-worker mode, so that each call costs a pipe round trip
 * rather than a JVM start; {@link HttpFaasExecutorProcessModeTest} covers the v1 process-per-call model.
 */
class HttpFaasExecutorCompatibilityTest extends FaasExecutorCompatibilityKit {
    /**
     * A long queue: on a loaded machine, starting several worker JVMs at once can take seconds. Up to 16 workers per
     * function (the server's default is 8), so that the kit's 16 overlapping calls really run at once.
     */
    @RegisterExtension
    static final ReferenceServerExtension SERVER = ReferenceServerExtension.configured(b -> b.limits(
            ServerLimits.defaults().toBuilder().queueTimeout(Duration.ofSeconds(30)).maxWorkersPerFunction(16)
                    .build())
            .functionReadOnlyPaths(TestFunctions.classPath()));

    private HttpFaasExecutor executor;

    @Override
    protected FaasExecutor executor() {
        if (executor == null) {
            executor = HttpFaasExecutor.create(SERVER.baseUri());
        }
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return TestFunctions.compatibilityFunction();
    }

    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, "persistent").build();
    }
}
