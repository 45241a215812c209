package dev.faasx.core.internal.runner;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one thread that hands results to the consumer, so the consumer is never called concurrently and never on a
 * platform client's I/O thread. The queue cannot grow past the runner's in-flight limit: each entry is a call that
 * still holds its permit, which is returned only after the consumer has taken the result.
 */
final class ResultDelivery implements Runnable {
    private static final Object STOP = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final RunnerCore core;

    ResultDelivery(RunnerCore core) {
        this.core = core;
    }

    void enqueue(CallState state) {
        queue.add(state);
    }

    /** Ends the thread after the results already queued. */
    void stop() {
        queue.add(STOP);
    }

    @Override
    public void run() {
        while (true) {
            Object next;
            try {
                next = queue.take();
            } catch (InterruptedException e) {
                continue; // only stop() ends delivery: a result must never be dropped
            }
            if (next == STOP) {
                return;
            }
            core.consume((CallState) next);
        }
    }
}
