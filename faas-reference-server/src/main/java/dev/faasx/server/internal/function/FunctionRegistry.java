package dev.faasx.server.internal.function;

import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.WorkerMode;
import dev.faasx.server.ServerLimits;
import dev.faasx.server.internal.ApiError;
import dev.faasx.server.internal.HttpAnswer;
import dev.faasx.server.internal.exec.ExecServices;
import dev.faasx.server.internal.exec.InstancePool;
import dev.faasx.server.internal.exec.ProcessPool;
import dev.faasx.server.internal.exec.WorkerPool;
import dev.faasx.server.internal.metrics.FunctionMetrics;
import dev.faasx.server.internal.metrics.ServerMetrics;
import dev.faasx.server.internal.store.FunctionStore;
import dev.faasx.server.internal.store.PackageExtractor;
import dev.faasx.server.internal.store.StoredFunction;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployed functions: which runtime serves each id, deployment and removal (persisted through the
 * {@link FunctionStore}), and the hand-over from an old version to a new one. Changes to one id are serialised;
 * invocations never wait for them.
 *
 * <p>Thread-safe.
 */
public final class FunctionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionRegistry.class);

    private final FunctionStore store;
    private final PackageExtractor extractor;
    private final ExecServices services;
    private final ServerMetrics metrics;
    private final SpecCodec codec;
    private final ServerLimits limits;
    private final ExecutorService background;
    private final ConcurrentHashMap<String, FunctionRuntime> runtimes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    public FunctionRegistry(FunctionStore store, ExecServices services, ServerMetrics metrics, SpecCodec codec) {
        this.store = store;
        this.services = services;
        this.metrics = metrics;
        this.codec = codec;
        this.limits = services.limits();
        this.background = services.background();
        this.extractor = new PackageExtractor(limits.maxUncompressedBytes(), limits.maxPackageEntries());
    }

    /**
     * Serves every function the store holds. Instances start lazily, on the first call, except the {@code keep_warm}
     * ones, which start in the background: a restart with many functions must not hold the first calls behind a
     * burst of process starts.
     */
    public int loadStored() throws IOException {
        int count = 0;
        for (StoredFunction stored : store.loadAll()) {
            FunctionRuntime runtime = newRuntime(stored);
            runtimes.put(stored.id(), runtime);
            if (stored.config().keepWarm() > 0) {
                startInBackground(runtime);
            }
            count++;
        }
        return count;
    }

    public Optional<FunctionRuntime> find(String id) {
        return Optional.ofNullable(runtimes.get(id));
    }

    public FunctionRuntime require(String id) {
        FunctionRuntime runtime = runtimes.get(id);
        if (runtime == null) {
            throw notFound(id);
        }
        return runtime;
    }

    public FunctionStore store() {
        return store;
    }

    /**
     * Deploys the zip at {@code upload} as function {@code id}, replacing the current version atomically when
     * {@code overwrite} is set, and starts its first instance to measure the cold start.
     *
     * @throws ApiError {@code FUNCTION_EXISTS}, {@code INVALID_PACKAGE} or {@code PAYLOAD_TOO_LARGE}
     */
    public FunctionRuntime deploy(String id, DeployConfig config, Path upload, long uploadBytes, boolean overwrite)
            throws IOException {
        Path extracted = store.newStagingPath("package");
        FunctionRuntime fresh;
        long unpackStart = System.nanoTime();
        Duration unpacking;
        try {
            extractor.extract(upload, extracted);
            unpacking = Duration.ofNanos(System.nanoTime() - unpackStart);
            synchronized (lock(id)) {
                FunctionRuntime old = runtimes.get(id);
                if (old != null && !overwrite) {
                    throw exists(id);
                }
                StoredFunction stored = store.commit(id, config, extracted, uploadBytes);
                fresh = newRuntime(stored);
                runtimes.put(id, fresh);
                if (old != null) {
                    retire(old, false);
                }
            }
        } finally {
            store.discard(extracted);
        }
        // The cold start a deployment reports is what a first call on a new machine would wait for: unpacking the
        // package and starting an instance.
        fresh.pool().startInstance().ifPresent(start -> fresh.deployColdStart(unpacking.plus(start)));
        startInBackground(fresh);
        LOG.info("deployed function {} ({}, {} bytes, {} mode)", id, fresh.function().version(), uploadBytes,
                config.effectiveWorkerMode().wireName());
        return fresh;
    }

    /** Whether a deployment of {@code id} would be refused as existing, checked before the upload is read. */
    public boolean refusesDeploy(String id, boolean overwrite) {
        return !overwrite && runtimes.containsKey(id);
    }

    public static ApiError exists(String id) {
        return new ApiError(ErrorCode.FUNCTION_EXISTS, "function " + id
                + " is already deployed; deploy with ?overwrite=true to replace it", Map.of("function_id", id));
    }

    /** Removes {@code id}: new calls get 404, calls in progress finish, then its files are deleted. */
    public void undeploy(String id) throws IOException {
        FunctionRuntime runtime;
        synchronized (lock(id)) {
            runtime = runtimes.remove(id);
            if (runtime == null) {
                throw notFound(id);
            }
            store.forget(id);
        }
        metrics.remove(id);
        retire(runtime, true);
        LOG.info("undeployed function {}", id);
    }

    /** Invokes {@code id}'s current version; a call that races with a redeployment runs on the new version. */
    public HttpAnswer invoke(String id, InvokeRequest request, PayloadEncoding encoding, long arrivalNanos) {
        for (int attempt = 0; attempt < 3; attempt++) {
            FunctionRuntime runtime = require(id);
            if (runtime.enter()) {
                try {
                    return runtime.invoke(request, encoding, arrivalNanos);
                } finally {
                    runtime.exit();
                }
            }
        }
        throw notFound(id);
    }

    /** Stops every instance at once; invocations in progress end with an explicit error. */
    public void abortAll() {
        runtimes.values().forEach(runtime -> runtime.pool().abort());
    }

    /** Stops every idle instance; runtimes stay registered (their files stay on disk). */
    public void closeAll() {
        runtimes.values().forEach(runtime -> runtime.pool().close());
    }

    private FunctionRuntime newRuntime(StoredFunction stored) {
        DeployConfig config = stored.config();
        int keepWarm = Math.min(config.keepWarm(), limits.maxKeepWarm());
        InstancePool pool = config.effectiveWorkerMode() == WorkerMode.PERSISTENT
                ? new WorkerPool(stored, services, Math.min(Math.min(config.maxConcurrency(), limits.maxConcurrency()),
                limits.maxWorkersPerFunction()), keepWarm)
                : new ProcessPool(stored, services, Math.max(limits.prespawnedProcesses(), keepWarm));
        String id = stored.id();
        FunctionMetrics functionMetrics = metrics.forFunction(id, () -> find(id).map(r -> {
            InstancePool.InstanceCounts counts = r.pool().counts();
            return new int[] {counts.idle(), counts.busy()};
        }).orElse(new int[2]));
        return new FunctionRuntime(stored, pool, functionMetrics, codec, limits);
    }

    private void startInBackground(FunctionRuntime runtime) {
        if (runtime.pool() instanceof ProcessPool processPool) {
            processPool.start();
        } else if (runtime.pool() instanceof WorkerPool workerPool) {
            workerPool.start();
        }
    }

    /** Lets the calls a runtime admitted finish, then stops its instances and deletes its files. */
    private void retire(FunctionRuntime runtime, boolean removed) {
        runtime.retire();
        background.execute(() -> {
            try {
                long grace = runtime.function().config().timeout().plus(limits.queueTimeout()).toMillis() + 5000;
                if (!runtime.awaitIdle(grace)) {
                    LOG.warn("function {} version {}: calls still running after {} ms; stopping them",
                            runtime.function().id(), runtime.function().version(), grace);
                    runtime.pool().abort();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                runtime.pool().abort();
            }
            runtime.pool().close();
            services.confinement().release(runtime.function().directory());
            store.removeVersion(runtime.function());
            if (removed) {
                synchronized (lock(runtime.function().id())) {
                    if (!runtimes.containsKey(runtime.function().id())) {
                        store.removeFunctionDirectory(runtime.function().id());
                    }
                }
            }
            LOG.debug("retired version {} of function {} ({})", runtime.function().version(),
                    runtime.function().id(), removed ? "removed" : "replaced");
        });
    }

    private Object lock(String id) {
        return locks.computeIfAbsent(id, key -> new Object());
    }

    private static ApiError notFound(String id) {
        return new ApiError(ErrorCode.FUNCTION_NOT_FOUND, "function " + id + " is not deployed",
                Map.of("function_id", id));
    }
}
