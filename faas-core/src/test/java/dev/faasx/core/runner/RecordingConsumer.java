package dev.faasx.core.runner;

import dev.faasx.core.JobConsumer;
import dev.faasx.core.JobResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Keeps every result, and notices if it is ever called by two threads at once. */
final class RecordingConsumer implements JobConsumer {
    private final List<JobResult> results = new ArrayList<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicBoolean overlapped = new AtomicBoolean();
    private final Consumer<JobResult> hook;

    RecordingConsumer() {
        this(r -> { });
    }

    RecordingConsumer(Consumer<JobResult> hook) {
        this.hook = hook;
    }

    @Override
    public void accept(JobResult result) {
        if (active.incrementAndGet() > 1) {
            overlapped.set(true);
        }
        try {
            synchronized (results) {
                results.add(result);
            }
            hook.accept(result);
        } finally {
            active.decrementAndGet();
        }
    }

    List<JobResult> results() {
        synchronized (results) {
            return List.copyOf(results);
        }
    }

    int count() {
        synchronized (results) {
            return results.size();
        }
    }

    boolean wasCalledConcurrently() {
        return overlapped.get();
    }
}
