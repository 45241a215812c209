package dev.faasx.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which job ids are delegated to which {@link FaasExecutor}. Thread-safe; it may be changed while a runner uses
 * it, and each call consults it when the call starts.
 *
 * <pre>{@code
 * FaasRegistry registry = FaasRegistry.create();
 * registry.register(7, lambda);
 * registry.executorFor(7).ifPresent(e -> ...);
 * }</pre>
 */
public final class FaasRegistry {
    private final ConcurrentHashMap<Long, FaasExecutor> executors = new ConcurrentHashMap<>();

    private FaasRegistry() {
    }

    public static FaasRegistry create() {
        return new FaasRegistry();
    }

    /**
     * Delegates {@code jobId} to {@code executor}, replacing any earlier registration.
     *
     * @return the executor it replaced, if any
     */
    public Optional<FaasExecutor> register(long jobId, FaasExecutor executor) {
        Objects.requireNonNull(executor, "executor");
        return Optional.ofNullable(executors.put(jobId, executor));
    }

    /** Stops delegating {@code jobId}; later calls run locally if the router has a handler. */
    public Optional<FaasExecutor> unregister(long jobId) {
        return Optional.ofNullable(executors.remove(jobId));
    }

    public Optional<FaasExecutor> executorFor(long jobId) {
        return Optional.ofNullable(executors.get(jobId));
    }

    public boolean isDelegated(long jobId) {
        return executors.containsKey(jobId);
    }

    /** A snapshot of the current registrations. */
    public Map<Long, FaasExecutor> snapshot() {
        return Map.copyOf(executors);
    }

    public int size() {
        return executors.size();
    }
}
