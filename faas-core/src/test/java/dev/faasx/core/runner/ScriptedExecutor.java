package dev.faasx.core.runner;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.PackageKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-process {@link FaasExecutor} whose answers a test scripts: one step per invocation, then a default.
 * It records every invocation (with its time) and every future it handed out, so tests can see retries and
 * cancellations.
 */
final class ScriptedExecutor implements FaasExecutor {
    /** What a "platform" would report; the runner must pass these figures through untouched. */
    static final InvocationMetrics METRICS = InvocationMetrics.builder()
            .totalDuration(Figure.measured(Duration.ofMillis(12)))
            .executionDuration(Figure.reported(Duration.ofMillis(9)))
            .coldStart(Figure.reported(false))
            .requestId("req-1")
            .build();

    private final String provider;
    private final Queue<Function<JobCall, CompletableFuture<Invocation>>> steps = new ConcurrentLinkedQueue<>();
    private volatile Function<JobCall, CompletableFuture<Invocation>> otherwise = ScriptedExecutor::echo;
    final AtomicInteger invocations = new AtomicInteger();
    final List<Long> invocationNanos = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Invocation>> futures = new CopyOnWriteArrayList<>();

    private ScriptedExecutor(String provider) {
        this.provider = provider;
    }

    static ScriptedExecutor named(String provider) {
        return new ScriptedExecutor(provider);
    }

    /** The next invocation answers with {@code step}. */
    ScriptedExecutor then(Function<JobCall, CompletableFuture<Invocation>> step) {
        steps.add(step);
        return this;
    }

    /** Invocations after the scripted steps answer with {@code step}. */
    ScriptedExecutor otherwise(Function<JobCall, CompletableFuture<Invocation>> step) {
        this.otherwise = step;
        return this;
    }

    /** Echoes the body, prefixed with "remote:", and returns the call's metadata plus {@code ran-on}. */
    static CompletableFuture<Invocation> echo(JobCall call) {
        byte[] prefix = "remote:".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] body = call.body();
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        java.util.Map<String, String> metadata = new java.util.HashMap<>(call.metadata());
        metadata.put("ran-on", "scripted");
        return CompletableFuture.completedFuture(new Invocation(JobOutput.of(out, metadata), METRICS));
    }

    static CompletableFuture<Invocation> hang(JobCall call) {
        return new CompletableFuture<>();
    }

    static Function<JobCall, CompletableFuture<Invocation>> failWith(RuntimeException error) {
        return call -> CompletableFuture.failedFuture(error);
    }

    @Override
    public String providerName() {
        return provider;
    }

    @Override
    public Set<PackageKind> supportedPackageKinds() {
        return Set.of(PackageKind.values());
    }

    @Override
    public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
        invocations.incrementAndGet();
        invocationNanos.add(System.nanoTime());
        Function<JobCall, CompletableFuture<Invocation>> step = steps.poll();
        CompletableFuture<Invocation> future = (step != null ? step : otherwise).apply(call);
        if (future != null) {
            futures.add(future);
        }
        return future;
    }

    List<CompletableFuture<Invocation>> futures() {
        return new ArrayList<>(futures);
    }

    @Override
    public CompletableFuture<FaasDeployment> deploy(long jobId, FunctionPackage functionPackage, FaasConfig config) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a scripted executor only invokes"));
    }

    @Override
    public CompletableFuture<FaasHealth> healthCheck(long jobId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a scripted executor only invokes"));
    }

    @Override
    public CompletableFuture<Void> warm(long jobId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a scripted executor only invokes"));
    }

    @Override
    public CompletableFuture<FaasDeployment> getDeployment(long jobId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a scripted executor only invokes"));
    }

    @Override
    public CompletableFuture<Void> undeploy(long jobId) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("a scripted executor only invokes"));
    }

    @Override
    public void close() {
    }
}
