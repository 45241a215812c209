package dev.faasx.core;

import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Runs jobs on one Function-as-a-Service platform: the one interface every provider module implements.
 *
 * <p>Every operation is asynchronous. A failed operation completes its future exceptionally with a
 * {@link FaasException} subtype (unwrap {@link java.util.concurrent.CompletionException} to find it); an
 * executor never throws from these methods for a remote failure. A function that runs and fails completes
 * {@link #invokeWithMetrics} with a {@link FunctionErrorException}, never with a success.
 *
 * <p>Implementations are thread-safe and may be shared by many jobs; {@link #close()} releases their clients.
 *
 * <pre>{@code
 * try (FaasExecutor executor = HttpFaasExecutor.builder(URI.create("http://127.0.0.1:8080")).build()) {
 *     executor.deploy(7, FunctionPackage.nativeZip(zip), FaasConfig.defaults()).join();
 *     Invocation inv = executor.invokeWithMetrics(JobCall.of(7, body)).join();
 * }
 * }</pre>
 */
public interface FaasExecutor extends AutoCloseable {

    /** A short stable name of the platform, for example {@code "aws-lambda"}; used in errors and results. */
    String providerName();

    /** The package kinds this platform can run; {@link #deploy} rejects others naming these. */
    Set<PackageKind> supportedPackageKinds();

    /** Invokes the job's function and reports what is known about the call. */
    CompletableFuture<Invocation> invokeWithMetrics(JobCall call);

    /** Invokes the job's function and returns only its output. */
    default CompletableFuture<JobOutput> invoke(JobCall call) {
        return invokeWithMetrics(call).thenApply(Invocation::output);
    }

    /** Deploys (creates or replaces) the function for {@code jobId}. */
    CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config);

    /** Whether the job's function is deployed and able to run. */
    CompletableFuture<FaasHealth> healthCheck(long jobId);

    /** Starts instances ahead of calls so that the next invocations are warm, where the platform allows it. */
    CompletableFuture<Void> warm(long jobId);

    /** What is deployed for {@code jobId}; fails with {@link FunctionNotFoundException} when nothing is. */
    CompletableFuture<FaasDeployment> getDeployment(long jobId);

    /** Removes the job's function; removing a function that does not exist succeeds. */
    CompletableFuture<Void> undeploy(long jobId);

    /** Releases clients and threads this executor owns. Idempotent. */
    @Override
    void close();
}
