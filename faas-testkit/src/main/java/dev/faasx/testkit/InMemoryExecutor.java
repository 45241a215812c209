package dev.faasx.testkit;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.ProviderException;
import dev.faasx.testkit.internal.InMemoryFunction;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A {@link FaasExecutor} whose platform is this JVM: it runs {@link dev.faasx.core.JobHandler} classes from JAR
 * packages in-process. Use it to test code that deploys and invokes functions without any server, and as the
 * reference against which {@link FaasExecutorCompatibilityKit} itself is checked.
 *
 * <p>What it does, platform by platform:
 * <ul>
 *   <li><b>Packages</b>: only {@link FunctionPackage.Jar} (others are rejected with an
 *       {@link InvalidRequestException} naming {@link PackageKind#JAR}). The JAR is held in memory and its
 *       handler class loaded through a class loader whose parent is the thread context class loader of the
 *       caller of {@link #deploy} (parent first, so the faasx API is shared with the host). The class must be in
 *       the JAR and be a public {@code JobHandler} with a public no-argument constructor; {@link HandlerJar}
 *       builds such a JAR from the classpath. Limits: 50 MB packed, 250 MB unpacked.</li>
 *   <li><b>Instances</b>: each function keeps a pool of handler instances; one instance serves one call at a
 *       time. A call that finds no idle instance creates one and reports {@code coldStart = true} with the time
 *       the constructor took as {@code initDuration}; later calls on an idle instance report {@code false}.
 *       {@link #warm} creates {@code max(1, keepWarmInstances)} ready instances.</li>
 *   <li><b>Limits</b>: at most {@link FaasConfig#maxConcurrency()} calls run at once; one more fails at once with
 *       a {@link dev.faasx.core.ThrottledException}. A call that outlives {@link FaasConfig#timeout()} fails with
 *       a {@link dev.faasx.core.FaasTimeoutException}, its handler thread is interrupted and its instance
 *       discarded. Memory is not limited (the configured value is only recorded).</li>
 *   <li><b>Environment</b>: a JVM cannot change its environment, so {@link FaasConfig#envVars()} are bound to
 *       the thread for the duration of each call and of instance creation, where handlers read them through
 *       {@link FunctionEnvironment#get(String)} ({@link CompatibilityFunction} does). {@code System.getenv} does
 *       not see them.</li>
 *   <li><b>Metrics</b>: total duration measured by the client; execution duration, cold start and init duration
 *       reported by this platform; billed duration and memory unknown.</li>
 * </ul>
 * Deploy, undeploy and look-ups happen in the calling thread and return completed futures; invocations run on
 * the function's own daemon threads.
 *
 * <p>Thread-safe. {@link #close()} stops taking work; calls already running finish.
 *
 * <pre>{@code
 * try (InMemoryExecutor executor = InMemoryExecutor.create()) {
 *     executor.deploy(7, HandlerJar.of(Resize.class), FaasConfig.defaults()).join();
 *     JobOutput out = executor.invoke(JobCall.of(7, image)).join();
 * }
 * }</pre>
 */
public final class InMemoryExecutor implements FaasExecutor {
    /** The {@link #providerName()} of this platform. */
    public static final String PROVIDER = "in-memory";

    private final Map<Long, InMemoryFunction> functions = new ConcurrentHashMap<>();
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InMemoryExecutor() {
        timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.named("faasx-in-memory-timeouts"));
        timer.setRemoveOnCancelPolicy(true);
    }

    /** A new executor with nothing deployed. */
    public static InMemoryExecutor create() {
        return new InMemoryExecutor();
    }

    /** The name of the function that serves {@code jobId} on this platform, for example {@code faasx-job-7}. */
    public static String functionId(long jobId) {
        return "faasx-job-" + jobId;
    }

    @Override
    public String providerName() {
        return PROVIDER;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of(PackageKind.JAR);
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        Objects.requireNonNull(call, "call");
        return withFunction(call.jobId(), function -> function.invoke(call));
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        Objects.requireNonNull(functionPackage, "functionPackage");
        Objects.requireNonNull(config, "config");
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedError(jobId));
        }
        if (!(functionPackage instanceof FunctionPackage.Jar jar)) {
            String reason = "the " + PROVIDER + " platform runs packages of kind " + supportedPackageKinds()
                    + " only, not " + functionPackage.kind() + "; package the handler with HandlerJar.of(...)";
            return CompletableFuture.failedFuture(new InvalidRequestException(reason, List.of(reason),
                    ErrorContext.builder(PROVIDER).jobId(jobId).functionId(functionId(jobId))
                            .code("INVALID_PACKAGE").build(), null));
        }
        ClassLoader parent = Thread.currentThread().getContextClassLoader();
        if (parent == null) {
            parent = InMemoryExecutor.class.getClassLoader();
        }
        try {
            InMemoryFunction function = InMemoryFunction.load(PROVIDER, jobId, functionId(jobId), jar, config,
                    parent, timer);
            InMemoryFunction replaced = functions.put(jobId, function);
            if (replaced != null) {
                replaced.retire();
            }
            if (closed.get() && functions.remove(jobId, function)) {
                function.retire();
                return CompletableFuture.failedFuture(closedError(jobId));
            }
            return CompletableFuture.completedFuture(function.deployment());
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return withFunction(jobId, InMemoryFunction::health);
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return withFunction(jobId, InMemoryFunction::warm);
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return withFunction(jobId, function -> CompletableFuture.completedFuture(function.deployment()));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedError(jobId));
        }
        InMemoryFunction removed = functions.remove(jobId);
        if (removed != null) {
            removed.retire();
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Undeploys every function and stops taking work; calls already running finish. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        functions.values().forEach(InMemoryFunction::retire);
        functions.clear();
        // Deadlines of calls still running keep firing; the timer thread ends when the last one is done.
        timer.shutdown();
    }

    private <T> CompletableFuture<T> withFunction(long jobId,
                                                  Function<InMemoryFunction, CompletableFuture<T>> action) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedError(jobId));
        }
        InMemoryFunction function = functions.get(jobId);
        if (function == null) {
            return CompletableFuture.failedFuture(new FunctionNotFoundException("job " + jobId
                    + " has no function deployed on " + PROVIDER + "; deploy it first",
                    ErrorContext.builder(PROVIDER).jobId(jobId).functionId(functionId(jobId))
                            .code("FUNCTION_NOT_FOUND").build()));
        }
        return action.apply(function);
    }

    private static ProviderException closedError(long jobId) {
        return new ProviderException("this " + PROVIDER + " executor is closed; create a new one", false, false,
                ErrorContext.of(PROVIDER, jobId));
    }
}
