package dev.faasx.server.internal.exec;

import dev.faasx.core.spec.WorkerMode;
import dev.faasx.server.internal.sandbox.Confinement;
import dev.faasx.server.internal.store.StoredFunction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts {@code bootstrap} processes, confined as the server's {@link Confinement} says (a sandbox, a cgroup). A
 * process never inherits the server's environment (which may hold the API key or other secrets): it gets a small
 * base ({@code PATH}, {@code LANG}, {@code HOME} = its package directory, {@code TMPDIR}), then the function's
 * {@code env_vars}, then the variables the server owns: {@code FAASX_FUNCTION_ID}, {@code FAASX_MEMORY_MB},
 * {@code FAASX_TIMEOUT_SECS} and, for persistent workers, {@code FAASX_WORKER_MODE=persistent}.
 *
 * <p>Processes are started by a few threads that live as long as the server: a sandbox dies with the thread that
 * started it (bubblewrap's parent-death signal follows the starting thread, not the process), so it must never be a
 * pooled thread that may end while the instance is still wanted. As many threads as CPUs: many processes started at
 * once start far fewer per second than a few at a time (measured: 112/s with 64 concurrent starts against 276/s one
 * at a time).
 *
 * <p>Thread-safe.
 */
public final class ProcessSpawner implements AutoCloseable {
    private final Map<String, String> baseEnvironment;
    private final int stderrCapacity;
    private final Confinement confinement;
    private final ExecutorService starters;
    private final ExecutorService cleanup;

    public ProcessSpawner(int stderrCapacity, Confinement confinement) {
        this.stderrCapacity = stderrCapacity;
        this.confinement = confinement;
        this.starters = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
                ExecServices.daemonThreads("faasx-spawn"));
        this.cleanup = Executors.newSingleThreadExecutor(ExecServices.daemonThreads("faasx-cgroup-cleanup"));
        Map<String, String> base = new LinkedHashMap<>();
        base.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        base.put("LANG", "C.UTF-8");
        this.baseEnvironment = Map.copyOf(base);
    }

    public Confinement confinement() {
        return confinement;
    }

    /** The environment a process of {@code function} gets. */
    Map<String, String> environment(StoredFunction function, WorkerMode mode) {
        Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
        env.putAll(confinement.pathEnvironment(function.directory()));
        env.putAll(function.config().envVars());
        env.put("FAASX_FUNCTION_ID", function.id());
        env.put("FAASX_MEMORY_MB", Integer.toString(function.config().memoryMb()));
        env.put("FAASX_TIMEOUT_SECS", Long.toString(function.config().timeoutSecs()));
        if (mode == WorkerMode.PERSISTENT) {
            env.put("FAASX_WORKER_MODE", "persistent");
        } else {
            env.remove("FAASX_WORKER_MODE");
        }
        return env;
    }

    /** Starts one process; it waits for its request on stdin. */
    Spawned spawn(StoredFunction function, WorkerMode mode) throws IOException {
        Future<Spawned> started = starters.submit(() -> start(function, mode));
        try {
            return started.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            started.cancel(false);
            throw new IOException("interrupted while starting a process of function " + function.id(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private Spawned start(StoredFunction function, WorkerMode mode) throws IOException {
        long start = System.nanoTime();
        Confinement.Launch launch = confinement.prepare(function.id(), function.directory(),
                function.config().memoryMb());
        ProcessBuilder builder = new ProcessBuilder(launch.command()).directory(function.directory().toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment(function, mode));
        Process process;
        try {
            process = builder.start();
        } catch (IOException | RuntimeException e) {
            launch.group().ifPresent(group -> group.destroy());
            throw e;
        }
        long started = System.nanoTime();
        return new Spawned(process, start, Duration.ofNanos(started - start), stderrCapacity, launch.group(),
                cleanup);
    }

    @Override
    public void close() {
        starters.shutdownNow();
        cleanup.shutdown();
    }
}
