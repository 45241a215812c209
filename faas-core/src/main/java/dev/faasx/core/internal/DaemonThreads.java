package dev.faasx.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** The one thread factory of faasx: daemon threads named {@code prefix-N}, so they never keep a JVM alive. */
public final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    private DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    /** A factory whose threads are named {@code prefix-1}, {@code prefix-2}, ... */
    public static DaemonThreads named(String prefix) {
        if (prefix == null || prefix.isBlank()) {
            throw new IllegalArgumentException("thread name prefix must not be blank");
        }
        return new DaemonThreads(prefix);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, prefix + "-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    }
}
