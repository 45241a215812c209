package dev.faasx.server.internal.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Every function's meters in one Prometheus registry, one {@link FunctionMetrics} per function id. Thread-safe.
 */
public final class ServerMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final ConcurrentHashMap<String, FunctionMetrics> functions = new ConcurrentHashMap<>();

    /** The meters of {@code functionId}, created on first use; {@code instances} reads {idle, busy}. */
    public FunctionMetrics forFunction(String functionId, Supplier<int[]> instances) {
        return functions.computeIfAbsent(functionId, id -> new FunctionMetrics(id, registry, instances));
    }

    /** Removes the meters of an undeployed function. */
    public void remove(String functionId) {
        FunctionMetrics metrics = functions.remove(functionId);
        if (metrics != null) {
            metrics.remove();
        }
    }

    /** Every meter in the Prometheus text exposition format. */
    public String scrape() {
        return registry.scrape();
    }

    public void close() {
        registry.close();
    }
}
