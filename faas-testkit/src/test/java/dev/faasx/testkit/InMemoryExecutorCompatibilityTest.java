package dev.faasx.testkit;

import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;

/** The whole compatibility kit, against the in-process platform. */
class InMemoryExecutorCompatibilityTest extends FaasExecutorCompatibilityKit {
    private final InMemoryExecutor executor = InMemoryExecutor.create();

    @Override
    protected FaasExecutor executor() {
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return HandlerJar.of(CompatibilityFunction.class);
    }
}
