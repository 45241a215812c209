package dev.faasx.server.internal.exec;

import dev.faasx.server.ServerLimits;
import dev.faasx.server.internal.sandbox.Confinement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every instance pool of one server shares: the limits, the process spawner, one timer thread (timeouts are
 * enforced by killing the process tree when a timer fires) and a pool of background threads (stderr drains,
 * pre-spawning, worker starts, retiring replaced versions).
 *
 * <p>Thread-safe; {@link #close()} stops the threads.
 */
public final class ExecServices implements AutoCloseable {
    private final ServerLimits limits;
    private final ProcessSpawner spawner;
    private final ScheduledThreadPoolExecutor timers;
    private final ExecutorService background;
    private final AtomicInteger idleProcesses = new AtomicInteger();

    public ExecServices(ServerLimits limits, Confinement confinement) {
        this.limits = limits;
        this.spawner = new ProcessSpawner(limits.stderrTailBytes(), confinement);
        this.timers = new ScheduledThreadPoolExecutor(1, daemonThreads("faasx-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
        this.background = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), daemonThreads("faasx-process"));
    }

    public ServerLimits limits() {
        return limits;
    }

    ProcessSpawner spawner() {
        return spawner;
    }

    public Confinement confinement() {
        return spawner.confinement();
    }

    /** Takes one place among the server's idle pre-started processes; false when all are taken. */
    boolean holdIdlePlace() {
        int n;
        do {
            n = idleProcesses.get();
            if (n >= limits.maxIdleInstances()) {
                return false;
            }
        } while (!idleProcesses.compareAndSet(n, n + 1));
        return true;
    }

    void releaseIdlePlace() {
        idleProcesses.decrementAndGet();
    }

    /** Threads for work in the background: never refuses a task. */
    public ExecutorService background() {
        return background;
    }

    /** Runs {@code action} after {@code nanos}; cancel the returned future when it is no longer needed. */
    ScheduledFuture<?> schedule(Runnable action, long nanos) {
        return timers.schedule(action, nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void close() {
        timers.shutdownNow();
        background.shutdownNow();
        spawner.close();
    }

    /** Daemon threads named {@code prefix-N}. */
    public static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
