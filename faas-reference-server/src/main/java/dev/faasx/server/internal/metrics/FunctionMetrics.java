package dev.faasx.server.internal.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The meters of one function id, kept across redeployments and removed on undeploy: invocations by result, cold and
 * warm starts, and the server-side latency of invocations that ran (a Micrometer timer whose percentiles cover the
 * last two minutes, HdrHistogram-backed). Exposed as Prometheus text at {@code /metrics} and as JSON at
 * {@code /api/functions/{id}/metrics}.
 *
 * <p>Thread-safe.
 */
public final class FunctionMetrics {
    /** How an invocation ended, as a label value. */
    public enum Result {
        SUCCESS, FUNCTION_ERROR, TIMEOUT, OVERLOADED, UNHEALTHY, ABORTED;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String functionId;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Counter[] results = new Counter[Result.values().length];
    private final Counter cold;
    private final Counter warm;
    private final Timer latency;
    private final AtomicReference<Instant> lastInvocation = new AtomicReference<>();

    FunctionMetrics(String functionId, MeterRegistry registry, Supplier<int[]> instances) {
        this.functionId = functionId;
        this.registry = registry;
        Tags tags = Tags.of("function", functionId);
        for (Result result : Result.values()) {
            results[result.ordinal()] = add(Counter.builder("faasx.invocations")
                    .description("Invocations by result").tags(tags).tag("result", result.label())
                    .register(registry));
        }
        cold = add(Counter.builder("faasx.starts").description("Invocations by instance start")
                .tags(tags).tag("start", "cold").register(registry));
        warm = add(Counter.builder("faasx.starts").description("Invocations by instance start")
                .tags(tags).tag("start", "warm").register(registry));
        latency = add(Timer.builder("faasx.invocation.duration")
                .description("Server-side duration of invocations that ran, queueing included")
                .tags(tags).publishPercentiles(0.5, 0.9, 0.99).percentilePrecision(2).register(registry));
        add(Gauge.builder("faasx.instances", instances, s -> s.get()[0]).description("Instances by state")
                .tags(tags).tag("state", "idle").register(registry));
        add(Gauge.builder("faasx.instances", instances, s -> s.get()[1]).description("Instances by state")
                .tags(tags).tag("state", "busy").register(registry));
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    public void record(Result result) {
        results[result.ordinal()].increment();
        lastInvocation.set(Instant.now());
    }

    /** Records an invocation that ran on an instance. */
    public void recordRun(Result result, boolean coldStart, long nanos) {
        record(result);
        (coldStart ? cold : warm).increment();
        latency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public Optional<Instant> lastInvocation() {
        return Optional.ofNullable(lastInvocation.get());
    }

    public long total() {
        long sum = 0;
        for (Counter counter : results) {
            sum += (long) counter.count();
        }
        return sum;
    }

    /** A consistent-enough reading of every figure, for the JSON endpoint. */
    public Snapshot snapshot(int idle, int busy) {
        HistogramSnapshot histogram = latency.takeSnapshot();
        double p50 = Double.NaN;
        double p90 = Double.NaN;
        double p99 = Double.NaN;
        for (ValueAtPercentile v : histogram.percentileValues()) {
            double ms = v.value(TimeUnit.MILLISECONDS);
            if (v.percentile() == 0.5) {
                p50 = ms;
            } else if (v.percentile() == 0.9) {
                p90 = ms;
            } else if (v.percentile() == 0.99) {
                p99 = ms;
            }
        }
        long total = total();
        long successes = count(Result.SUCCESS);
        return new Snapshot(functionId, total, successes, total - successes, count(Result.FUNCTION_ERROR),
                count(Result.TIMEOUT), count(Result.OVERLOADED), (long) cold.count(), (long) warm.count(),
                histogram.count(), histogram.mean(TimeUnit.MILLISECONDS), histogram.max(TimeUnit.MILLISECONDS),
                p50, p90, p99, idle, busy, lastInvocation());
    }

    private long count(Result result) {
        return (long) results[result.ordinal()].count();
    }

    void remove() {
        meters.forEach(registry::remove);
    }

    /** Every figure of one function; latencies in milliseconds, NaN when nothing ran in the window. */
    public record Snapshot(String functionId, long invocations, long successes, long errors, long functionErrors,
                           long timeouts, long overloaded, long coldStarts, long warmStarts, long latencyCount,
                           double latencyMeanMs, double latencyMaxMs, double p50Ms, double p90Ms, double p99Ms,
                           int idleInstances, int busyInstances, Optional<Instant> lastInvocation) {
    }
}
