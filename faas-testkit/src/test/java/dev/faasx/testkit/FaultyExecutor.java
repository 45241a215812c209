package dev.faasx.testkit;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.PackageKind;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-memory executor with one deliberate defect, to show that the compatibility kit notices it. Records what
 * is deployed and whether it was closed, so a test can check that the kit cleans up.
 */
final class FaultyExecutor implements FaasExecutor {

    /** The defect. */
    enum Fault {
        NONE,
        /** Turns a function's failure into an empty success, as the v1 reference client did. */
        SWALLOWS_FUNCTION_ERRORS,
        /** Reports the total duration as if the provider had said it. */
        MISLABELS_TOTAL_DURATION,
        /** Loses the call metadata on the way back. */
        DROPS_METADATA,
        /** Fails to undeploy what is not deployed. */
        UNDEPLOY_NOT_IDEMPOTENT,
        /** Runs one invocation at a time: every call still gets its own answer, but none overlaps. */
        SERIALIZES_CALLS,
        /** Hands out futures that ignore cancel(). */
        IGNORES_CANCEL,
        /** Refuses an unsupported package without saying which kinds it runs. */
        REFUSES_WITHOUT_NAMING_KINDS,
        /** Reports the client's own total as the function's execution time. */
        EXECUTION_IS_THE_TOTAL,
        /** Reports an execution time longer than the whole call. */
        EXECUTION_LONGER_THAN_TOTAL,
        /** Throws on a second close(). */
        CLOSE_NOT_IDEMPOTENT
    }

    private final java.util.concurrent.Semaphore oneAtATime = new java.util.concurrent.Semaphore(1);

    private final InMemoryExecutor delegate = InMemoryExecutor.create();
    private final Fault fault;
    private final Set<Long> deployed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    FaultyExecutor(Fault fault) {
        this.fault = fault;
    }

    Set<Long> deployed() {
        return Set.copyOf(deployed);
    }

    boolean isClosed() {
        return closed.get();
    }

    @Override
    public String providerName() {
        return delegate.providerName();
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return delegate.supportedPackageKinds();
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        if (fault == Fault.SERIALIZES_CALLS) {
            oneAtATime.acquireUninterruptibly();
            CompletableFuture<Invocation> r;
            try {
                r = delegate.invokeWithMetrics(call);
                r.join();
            } catch (RuntimeException e) {
                r = CompletableFuture.failedFuture(e);
            } finally {
                oneAtATime.release();
            }
            return r;
        }
        CompletableFuture<Invocation> result = delegate.invokeWithMetrics(call);
        return switch (fault) {
            case IGNORES_CANCEL -> {
                CompletableFuture<Invocation> deaf = new CompletableFuture<>() {
                    @Override
                    public boolean cancel(boolean mayInterruptIfRunning) {
                        return false;
                    }
                };
                result.whenComplete((v, e) -> {
                    if (e != null) {
                        deaf.completeExceptionally(e);
                    } else {
                        deaf.complete(v);
                    }
                });
                yield deaf;
            }
            case EXECUTION_IS_THE_TOTAL -> result.thenApply(inv -> new Invocation(inv.output(),
                    inv.metrics().toBuilder().executionDuration(Figure.reported(inv.metrics().totalDuration()
                            .value().orElseThrow())).build()));
            case EXECUTION_LONGER_THAN_TOTAL -> result.thenApply(inv -> new Invocation(inv.output(),
                    inv.metrics().toBuilder().executionDuration(Figure.reported(inv.metrics().totalDuration()
                            .value().orElseThrow().plusSeconds(1))).build()));
            case SWALLOWS_FUNCTION_ERRORS -> result.exceptionally(e -> {
                if (FutureAssertions.unwrap(e) instanceof FunctionErrorException) {
                    return new Invocation(JobOutput.empty(), InvocationMetrics.measured(Duration.ofMillis(1)));
                }
                throw (RuntimeException) e;
            });
            case MISLABELS_TOTAL_DURATION -> result.thenApply(inv -> new Invocation(inv.output(),
                    inv.metrics().toBuilder().totalDuration(Figure.reported(inv.metrics().totalDuration()
                            .value().orElseThrow())).build()));
            case DROPS_METADATA -> result.thenApply(inv -> new Invocation(
                    JobOutput.of(inv.output().body(), Map.of()), inv.metrics()));
            default -> result;
        };
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        if (fault == Fault.REFUSES_WITHOUT_NAMING_KINDS && !(functionPackage instanceof FunctionPackage.Jar)) {
            return CompletableFuture.failedFuture(new dev.faasx.core.InvalidRequestException("bad package",
                    ErrorContext.of(providerName(), jobId)));
        }
        return delegate.deploy(jobId, functionPackage, config).thenApply(d -> {
            deployed.add(jobId);
            return d;
        });
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return delegate.healthCheck(jobId);
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return delegate.warm(jobId);
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return delegate.getDeployment(jobId);
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        if (fault == Fault.UNDEPLOY_NOT_IDEMPOTENT && !deployed.contains(jobId)) {
            return CompletableFuture.failedFuture(new FunctionNotFoundException("not deployed",
                    ErrorContext.of(providerName(), jobId)));
        }
        deployed.remove(jobId);
        return delegate.undeploy(jobId);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) && fault == Fault.CLOSE_NOT_IDEMPOTENT) {
            throw new IllegalStateException("already closed");
        }
        delegate.close();
    }
}
