package dev.faasx.core.internal.runner;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets shutdown interrupt the pulling thread while, and only while, it waits for room or for the producer's next
 * call. Outside those waits the same thread may be running a local handler (caller-runs), which an interrupt meant
 * for the pull must not reach.
 */
final class PullGate {
    private static final int IDLE = 0;
    private static final int ARMED = 1;
    private static final int INTERRUPTING = 2;
    private static final int CLOSED = 3;

    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile Thread thread;

    /** Enters a wait that shutdown may interrupt; false once the gate is closed (stop pulling). */
    boolean arm() {
        thread = Thread.currentThread();
        return state.compareAndSet(IDLE, ARMED);
    }

    /** Leaves the wait; swallows the interrupt shutdown aimed at it, so none leaks into a handler. */
    void disarm() {
        if (!state.compareAndSet(ARMED, IDLE)) {
            while (state.get() == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }
    }

    /** Closes the gate, interrupting the pulling thread if it is waiting now. */
    void close() {
        while (true) {
            int s = state.get();
            if (s == IDLE && state.compareAndSet(IDLE, CLOSED)) {
                return;
            }
            if (s == ARMED && state.compareAndSet(ARMED, INTERRUPTING)) {
                Thread t = thread;
                if (t != null) {
                    t.interrupt();
                }
                state.set(CLOSED);
                return;
            }
            if (s == INTERRUPTING || s == CLOSED) {
                return;
            }
        }
    }
}
