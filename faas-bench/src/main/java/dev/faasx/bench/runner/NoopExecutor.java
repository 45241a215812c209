package dev.faasx.bench.runner;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.PackageKind;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory executor that answers every call at once with an empty output, so that a benchmark measures only
 * the runner's delegation path (registry look-up, dispatch, result, delivery).
 */
final class NoopExecutor implements FaasExecutor {
    private static final CompletableFuture<Invocation> ANSWER =
            CompletableFuture.completedFuture(new Invocation(JobOutput.empty(), InvocationMetrics.unknown()));

    @Override
    public String providerName() {
        return "noop";
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of();
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        return ANSWER;
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("not deployable"));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return CompletableFuture.completedFuture(FaasHealth.ok());
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("not deployable"));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
    }
}
