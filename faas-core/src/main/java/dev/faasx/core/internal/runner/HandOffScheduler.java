package dev.faasx.core.internal.runner;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scheduler Resilience4j gets for retry waits and time limits: it keeps time on the runner's timer, but what
 * fires (the next attempt with its listener call and executor call, a time limiter's timeout and everything that
 * depends on it, a caller-runs fallback) runs on the runner's work pool. The timer thread only triggers, so a slow
 * listener or executor can never delay another call's deadline.
 */
final class HandOffScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ScheduledExecutorService timer;
    private final Executor work;

    HandOffScheduler(ScheduledExecutorService timer, Executor work) {
        this.timer = timer;
        this.work = work;
    }

    private Runnable onWork(Runnable task) {
        return () -> execute(task);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return timer.schedule(onWork(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        // The scheduled future completes when the hand-off is made; Resilience4j uses it only to cancel the timer.
        CompletableFuture<V> ignored = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        ScheduledFuture<V> f = (ScheduledFuture<V>) timer.schedule(onWork(() -> {
            try {
                ignored.complete(callable.call());
            } catch (Exception e) {
                ignored.completeExceptionally(e);
            }
        }), delay, unit);
        return f;
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return timer.scheduleAtFixedRate(onWork(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        return timer.scheduleWithFixedDelay(onWork(command), initialDelay, delay, unit);
    }

    @Override
    public void execute(Runnable command) {
        try {
            work.execute(command);
        } catch (RejectedExecutionException e) {
            command.run(); // the pool ends only at termination, when no call is left to run this for
        }
    }

    // The runner owns the timer and the pool and ends them itself; this view cannot be shut down.
    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("the runner ends its own threads");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("the runner ends its own threads");
    }

    @Override
    public boolean isShutdown() {
        return timer.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return timer.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return timer.awaitTermination(timeout, unit);
    }
}
