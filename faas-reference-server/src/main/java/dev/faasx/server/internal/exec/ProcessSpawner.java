package dev.faasx.server.internal.exec;

import dev.faasx.core.spec.WorkerMode;
import dev.faasx.server.internal.store.StoredFunction;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * Starts {@code bootstrap} processes. A process never inherits the server's environment (which may hold the API key
 * or other secrets): it gets a small base ({@code PATH}, {@code LANG}, {@code HOME} = its package directory,
 * {@code TMPDIR}), then the function's {@code env_vars}, then the variables the server owns:
 * {@code FAASX_FUNCTION_ID}, {@code FAASX_MEMORY_MB}, {@code FAASX_TIMEOUT_SECS} and, for persistent workers,
 * {@code FAASX_WORKER_MODE=persistent}. The working directory is the package directory. At most as many processes
 * as there are CPUs are being started at any moment.
 *
 * <p>Thread-safe.
 */
public final class ProcessSpawner {
    private final Map<String, String> baseEnvironment;
    private final int stderrCapacity;
    private final Semaphore spawning;

    public ProcessSpawner(int stderrCapacity) {
        this.stderrCapacity = stderrCapacity;
        // Many processes started at once start far fewer per second than a few at a time (measured: 112/s with 64
        // concurrent starts against 276/s one at a time): starts beyond the CPU count wait their turn.
        this.spawning = new Semaphore(Math.max(2, Runtime.getRuntime().availableProcessors()));
        Map<String, String> base = new LinkedHashMap<>();
        base.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        base.put("LANG", "C.UTF-8");
        base.put("TMPDIR", System.getProperty("java.io.tmpdir"));
        this.baseEnvironment = Map.copyOf(base);
    }

    /** The environment a process of {@code function} gets. */
    Map<String, String> environment(StoredFunction function, WorkerMode mode) {
        Map<String, String> env = new LinkedHashMap<>(baseEnvironment);
        env.put("HOME", function.directory().toString());
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
        ProcessBuilder builder = new ProcessBuilder(List.of(function.bootstrap().toString()))
                .directory(function.directory().toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        env.putAll(environment(function, mode));
        spawning.acquireUninterruptibly();
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } finally {
            spawning.release();
        }
        long started = System.nanoTime();
        return new Spawned(process, start, Duration.ofNanos(started - start), stderrCapacity);
    }
}
