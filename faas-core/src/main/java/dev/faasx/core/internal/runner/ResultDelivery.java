package dev.faasx.core.internal.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The one thread that hands results to the consumer, so the consumer is never called concurrently and never on a
 * platform client's I/O thread. The queue cannot grow past the runner's in-flight limit: each entry is a call that
 * still holds its permit, which is returned only after the consumer has taken the result.
 *
 * <p>A consumer that never returns cannot hold a closing runner forever: after the grace periods the runner
 * interrupts this thread and, if the consumer still does not return, {@linkplain #abandon() abandons} the results it
 * has not taken (they are reported to the listeners as not delivered).
 */
final class ResultDelivery implements Runnable {
    private static final Object STOP = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final RunnerCore core;
    private volatile boolean abandoned;
    private volatile CallState current;

    ResultDelivery(RunnerCore core) {
        this.core = core;
    }

    void enqueue(CallState state) {
        if (abandoned) {
            core.abandon(state);
            return;
        }
        queue.add(state);
        if (abandoned && queue.remove(state)) { // abandon() drained the queue just before this add
            core.abandon(state);
        }
    }

    /** Ends the thread after the results already queued. */
    void stop() {
        queue.add(STOP);
    }

    /** Gives up on the consumer: the results it has not taken, including the one it is stuck on. */
    List<CallState> abandon() {
        abandoned = true;
        List<CallState> left = new ArrayList<>();
        CallState stuck = current;
        if (stuck != null) {
            left.add(stuck);
        }
        Object next;
        while ((next = queue.poll()) != null) {
            if (next != STOP) {
                left.add((CallState) next);
            }
        }
        return left;
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
            CallState state = (CallState) next;
            current = state;
            try {
                core.consume(state);
            } finally {
                current = null;
            }
        }
    }
}
