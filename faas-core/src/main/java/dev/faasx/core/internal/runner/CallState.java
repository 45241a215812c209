package dev.faasx.core.internal.runner;

import dev.faasx.core.FaasException;
import dev.faasx.core.Figure;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobResult;
import dev.faasx.core.Placement;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * Everything the runner knows about one call in flight.
 *
 * <p>Exactly one result per call is guaranteed here, structurally: whoever wants to finish the call (the handler's
 * thread, a remote completion, the deadline timer, shutdown, the caller cancelling) must first win {@link #claim()},
 * a single compare-and-set. Only the winner builds and delivers the result; everyone else drops theirs.
 *
 * <p>The object is also the future {@code FaasRunner.call} returns (saving an allocation on the hot path) and the
 * {@link Runnable} handed to the local executor. Cancelling that future is one more way to claim the call.
 */
final class CallState extends CompletableFuture<JobResult> implements Runnable {
    // Worker gate: lets a timer or shutdown interrupt the thread running the local handler, and only while it
    // runs it (the FutureTask protocol), so no interrupt leaks into whatever that thread does next.
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int DONE = 2;
    private static final int INTERRUPTING = 3;
    private static final int INTERRUPTED = 4;
    private static final int SKIPPED = 5;

    private static final VarHandle CLAIMED;
    private static final VarHandle WORKER;
    private static final VarHandle RELEASED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIMED = lookup.findVarHandle(CallState.class, "claimed", int.class);
            WORKER = lookup.findVarHandle(CallState.class, "worker", int.class);
            RELEASED = lookup.findVarHandle(CallState.class, "released", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final JobCall call;
    final boolean fromProducer;
    final long startNanos;
    private final CallDispatcher dispatcher;

    /** The policy of the call's job; written before the call is handed to any other thread. */
    JobPolicy policy = JobPolicy.defaults();

    /** What {@link #run()} runs; written before the state is handed to the local executor. */
    JobHandler localHandler;
    Placement localPlacement = Placement.LOCAL;

    /** Set when a failed remote call falls back, so that a failing fallback can carry it. */
    volatile FaasException fallbackCause;

    /** Retry bookkeeping; written only by the attempt chain, whose steps happen one after another. */
    volatile int attempts;
    volatile FaasException lastAttemptError;

    /** The result the consumer gets; written by the claimer before handing the state to the delivery thread. */
    JobResult result;

    private volatile int claimed;
    private volatile int released;
    private volatile boolean noPermit;
    private volatile long claimNanos;
    private volatile int worker;
    private Thread workerThread;
    private volatile String remoteProvider;
    private volatile Future<?> deadlineTimer;
    private volatile CompletableFuture<?> remoteAttempt;
    private Thread completingThread; // read only by the same thread, so plain

    CallState(JobCall call, boolean fromProducer, CallDispatcher dispatcher) {
        this.call = call;
        this.fromProducer = fromProducer;
        this.dispatcher = dispatcher;
        this.startNanos = System.nanoTime();
    }

    /** Wins the right to finish this call. True exactly once per call. */
    boolean claim() {
        if (!CLAIMED.compareAndSet(this, 0, 1)) {
            return false;
        }
        claimNanos = System.nanoTime();
        Future<?> timer = deadlineTimer;
        if (timer != null) {
            timer.cancel(false);
        }
        return true;
    }

    /** Releases the call's place in the runner; true exactly once. */
    boolean release() {
        return RELEASED.compareAndSet(this, 0, 1);
    }

    /** The call was refused for want of a direct-call permit, so it has none to give back. */
    void noPermit() {
        noPermit = true;
    }

    boolean holdsPermit() {
        return !noPermit;
    }

    boolean isClaimed() {
        return claimed != 0;
    }

    /** The whole call as the runner measured it: from its start to the claim of its result (or now). */
    Figure<Duration> elapsed() {
        long end = isClaimed() ? claimNanos : System.nanoTime();
        return Figure.measured(Duration.ofNanos(Math.max(0, end - startNanos)));
    }

    void deadlineTimer(Future<?> timer) {
        deadlineTimer = timer;
        if (isClaimed()) { // finished before the timer was stored: claim() could not cancel it
            timer.cancel(false);
        }
    }

    /** Runs the local handler; the local executor calls this. */
    @Override
    public void run() {
        dispatcher.runLocal(this);
    }

    /** Marks the calling thread as the one running the handler; false when the call was already stopped. */
    boolean enterWorker() {
        workerThread = Thread.currentThread();
        return WORKER.compareAndSet(this, NEW, RUNNING);
    }

    /** Leaves the handler; clears an interrupt that the runner aimed at it, so none leaks to the thread's next work. */
    void exitWorker() {
        if (!WORKER.compareAndSet(this, RUNNING, DONE)) {
            while (worker == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted();
        }
        workerThread = null;
    }

    /** Ends the call now with {@code error}, unless it has already ended (see {@link CallDispatcher#abort}). */
    void endNow(FaasException error) {
        dispatcher.abort(this, ctx -> error);
    }

    void remoteStarted(String provider) {
        remoteProvider = provider;
    }

    void remoteAttempt(CompletableFuture<?> attempt) {
        remoteAttempt = attempt;
        if (isClaimed()) { // stopped while the attempt was being sent
            attempt.cancel(true);
        }
    }

    void cancelRemoteAttempt() {
        CompletableFuture<?> attempt = remoteAttempt;
        if (attempt != null) {
            attempt.cancel(true);
        }
    }

    /**
     * Stops the call's work after a claim by a timer, shutdown or the caller: a local handler that has not started
     * never starts, one that runs is interrupted, a remote invocation's future is cancelled.
     *
     * @return where the call had got to, for the failure's placement
     */
    Placement stopWork() {
        cancelRemoteAttempt();
        while (true) {
            int w = worker;
            if (w == NEW) {
                if (WORKER.compareAndSet(this, NEW, SKIPPED)) {
                    return remoteProvider != null ? Placement.REMOTE : Placement.NOT_RUN;
                }
            } else if (w == RUNNING) {
                if (WORKER.compareAndSet(this, RUNNING, INTERRUPTING)) {
                    Thread t = workerThread;
                    if (t != null) {
                        t.interrupt();
                    }
                    worker = INTERRUPTED;
                    return localPlacement;
                }
            } else {
                return localPlacement; // DONE: the handler ran but lost the race to finish
            }
        }
    }

    /** The provider to name in a failure with {@code placement}. */
    String providerFor(Placement placement) {
        String remote = remoteProvider;
        return placement == Placement.REMOTE && remote != null ? remote : CallDispatcher.LOCAL;
    }

    /** Completes the future {@code FaasRunner.call} returned, running its dependent stages on this thread. */
    void completeFuture(JobResult value) {
        completingThread = Thread.currentThread();
        try {
            super.complete(value);
        } finally {
            completingThread = null;
        }
    }

    /** Whether {@code thread} is completing this call's future now; only meaningful when asked on that thread. */
    boolean isCompletingOn(Thread thread) {
        return completingThread == thread;
    }

    /**
     * Cancelling the future of a direct call stops the call: it fails with a {@code CallCancelledException} that
     * the listeners see, and the future is cancelled. Returns false when the call had already finished.
     */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        return !fromProducer && dispatcher.cancelByCaller(this);
    }

    void cancelFuture() {
        super.cancel(false);
    }

    /**
     * The caller may complete the future of a direct call, but only through the call's claim: the value becomes the
     * call's one result (listeners see it too) and the call's work stops. False when the call had already finished.
     *
     * @throws IllegalArgumentException when {@code value} is not a result of this call
     */
    @Override
    public boolean complete(JobResult value) {
        return !fromProducer && dispatcher.completeByCaller(this, value);
    }

    /**
     * Completing the future exceptionally (also what {@code orTimeout} does) stops the call: its one result is a
     * failure typed from {@code ex} ({@code TimeoutException} becomes a {@code FaasTimeoutException}), and the
     * future completes with that result, never exceptionally, as {@code FaasRunner.call} promises.
     */
    @Override
    public boolean completeExceptionally(Throwable ex) {
        return !fromProducer && dispatcher.failByCaller(this, ex);
    }

    /** Refused: the runner owns the result of the call. */
    @Override
    public void obtrudeValue(JobResult value) {
        throw new UnsupportedOperationException("the runner owns the result of call " + call.callId()
                + "; complete or cancel the future instead");
    }

    /** Refused: the runner owns the result of the call. */
    @Override
    public void obtrudeException(Throwable ex) {
        throw new UnsupportedOperationException("the runner owns the result of call " + call.callId()
                + "; complete or cancel the future instead");
    }

    // Identity equality, with a hash that costs nothing: System.identityHashCode would touch the object header.
    @Override
    public int hashCode() {
        return Long.hashCode(startNanos * 0x9E3779B97F4A7C15L);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public String toString() {
        return "CallState[" + call + (isClaimed() ? ", finished" : ", in flight") + "]";
    }
}
