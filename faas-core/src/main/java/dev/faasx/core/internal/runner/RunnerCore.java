package dev.faasx.core.internal.runner;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasRegistry;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobConsumer;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.Placement;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.DaemonThreads;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@link FaasRunner}: the pull loop, the in-flight set, delivery to the consumer, shutdown and
 * termination.
 *
 * <p>Threads: the pulling thread (the caller of {@code run()}, or one started by {@code start()}); one delivery
 * thread that calls the consumer; one timer thread for deadlines, retry waits, time limits and the shutdown grace,
 * which only triggers: what a timer releases (a retry attempt, a deadline's result, listeners) runs on the work
 * pool; the local pool (unless the user gave an executor or chose caller-runs); and whatever threads complete the
 * executors' futures.
 *
 * <p>Back-pressure: a permit per producer call, taken before the producer is asked for the call and returned only
 * after the consumer has taken its result. The producer is therefore never more than {@code maxInFlight} calls
 * ahead of the consumer. Direct calls have their own bound ({@code maxDirectCalls}); one over it fails at once. The
 * local pool's queue is bounded by the two, so nothing queues without bound.
 */
public final class RunnerCore {
    private static final Logger log = LoggerFactory.getLogger(FaasRunner.class);

    private final String name;
    private final JobProducer producer;
    private final JobConsumer consumer;
    private final FaasRegistry registry;
    private final Listeners listeners;
    private final Duration shutdownGrace;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor work;
    private final ThreadPoolExecutor ownedPool;
    private final CallDispatcher dispatcher;
    private final Set<CallState> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
    private final Semaphore directPermits;
    private final int maxDirectCalls;
    private final ResultDelivery delivery;
    private final PullGate pullGate = new PullGate();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    private volatile boolean stopping;
    private volatile boolean forced;
    private volatile boolean pullDone = true;
    private volatile Thread pullThread;
    private volatile Thread deliveryThread;

    public RunnerCore(RunnerSettings settings) {
        this.name = settings.name();
        this.producer = settings.producer();
        this.consumer = settings.consumer();
        this.registry = settings.registry();
        this.listeners = new Listeners(settings.listeners());
        this.shutdownGrace = settings.shutdownGrace();
        this.permits = new Semaphore(settings.maxInFlight());
        this.maxDirectCalls = settings.maxDirectCalls();
        this.directPermits = new Semaphore(maxDirectCalls);
        this.scheduler = new ScheduledThreadPoolExecutor(1, DaemonThreads.named(name + "-timer"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // What timers release runs here; at most a few tasks per call in flight, so threads are bounded by them.
        this.work = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                DaemonThreads.named(name + "-work"));
        Executor local = settings.localExecutor();
        if (local == null && !settings.callerRuns()) {
            // Every queued task is a call in flight, and calls in flight are bounded by the two limits.
            ownedPool = new ThreadPoolExecutor(settings.localThreads(), settings.localThreads(), 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>((int) Math.min(Integer.MAX_VALUE,
                            (long) settings.maxInFlight() + maxDirectCalls)),
                    DaemonThreads.named(name + "-local"));
            ownedPool.allowCoreThreadTimeOut(true);
            local = ownedPool;
        } else {
            ownedPool = null;
        }
        this.delivery = consumer == null ? null : new ResultDelivery(this);
        this.dispatcher = new CallDispatcher(this, registry, settings.router(),
                new JobPolicies(settings.defaultPolicy(), settings.policies()), listeners, scheduler, work, local);
    }

    public FaasRegistry registry() {
        return registry;
    }

    public CompletableFuture<JobResult> call(JobCall call) {
        Objects.requireNonNull(call, "call");
        return begin(call, false);
    }

    private CallState begin(JobCall call, boolean fromProducer) {
        CallState s = new CallState(call, fromProducer, dispatcher);
        listeners.callStarted(call);
        if (!fromProducer && !directPermits.tryAcquire()) {
            s.noPermit();
            inFlight.add(s);
            dispatcher.complete(s, () -> CallDispatcher.failure(s, new ThrottledException("the runner already has "
                    + maxDirectCalls + " direct calls in flight (maxDirectCalls); job " + call.jobId()
                    + " was not run", null, ErrorContext.of(CallDispatcher.LOCAL, call.jobId()), null),
                    Placement.NOT_RUN, CallDispatcher.LOCAL));
            return s;
        }
        // Register before looking at the state: shutdown sets its flag before looking at the set, so either it sees
        // this call (and termination waits for it) or this call sees the flag.
        inFlight.add(s);
        // A call the producer already handed over is never refused: dropping it would lose it. Direct calls are.
        if (!fromProducer && stopping) {
            dispatcher.complete(s, () -> CallDispatcher.failure(s, new CallCancelledException("the runner is shut down; "
                    + "job " + call.jobId() + " was not run", ErrorContext.of(CallDispatcher.LOCAL, call.jobId())),
                    Placement.NOT_RUN, CallDispatcher.LOCAL));
            return s;
        }
        if (forced) { // shutdown's sweep may have missed a call added during it; it sees forced, so it cancels
            dispatcher.abort(s, ctx -> cancelledByShutdown(call, ctx));
            return s;
        }
        try {
            dispatcher.route(s);
        } catch (RuntimeException | Error e) {
            log.error("could not dispatch call {} of job {}", call.callId(), call.jobId(), e);
            dispatcher.abort(s, ctx -> new ProviderException("the runner could not dispatch job " + call.jobId()
                    + ": " + e, false, true, ctx, e));
        }
        return s;
    }

    /** Hands the one result of a call on: listeners first, then the consumer (producer calls) or the future. */
    void deliver(CallState s, JobResult result) {
        listeners.callFinished(s.call, result);
        if (s.fromProducer) {
            s.result = result;
            delivery.enqueue(s);
        } else {
            // Complete before releasing, so that a terminated runner has no future left to complete.
            s.completeFuture(result);
            release(s);
        }
    }

    /** The result of a direct call its caller cancelled: the listeners get it, the future is cancelled. */
    void deliverCancelled(CallState s, JobResult result) {
        listeners.callFinished(s.call, result);
        s.cancelFuture();
        release(s);
    }

    /**
     * A result the consumer will never take (it did not return within the grace periods of a shutdown): the call is
     * released and the listeners learn that its result was not delivered.
     */
    void abandon(CallState s) {
        if (!s.release()) {
            return;
        }
        CallCancelledException notDelivered = new CallCancelledException("the runner was closed before its "
                + "consumer took the result of call " + s.call.callId() + " (job " + s.call.jobId() + "); the consumer "
                + "did not return within the grace period, so this result was not delivered",
                ErrorContext.of(CallDispatcher.LOCAL, s.call.jobId()));
        log.warn("runner {}: the result of call {} (job {}) was not delivered: the consumer did not return in time",
                name, s.call.callId(), s.call.jobId());
        listeners.consumerFailed(s.result, notDelivered);
        afterRelease(s);
    }

    /** Runs on the delivery thread. */
    void consume(CallState s) {
        try {
            consumer.accept(s.result);
        } catch (Throwable t) {
            log.warn("the consumer failed on the result of call {} (job {}); the runner goes on", s.call.callId(),
                    s.call.jobId(), t);
            listeners.consumerFailed(s.result, t);
        } finally {
            release(s);
        }
    }

    private void release(CallState s) {
        if (s.release()) {
            afterRelease(s);
        }
    }

    private void afterRelease(CallState s) {
        inFlight.remove(s);
        if (s.fromProducer) {
            permits.release();
        } else if (s.holdsPermit()) {
            directPermits.release();
        }
        if (stopping) {
            checkTermination();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    // ---- the producer side ----

    public void start() {
        beginPulling();
        Thread t = new Thread(this::pullUntilDone, name + "-producer"); // not a daemon: it owns the run
        pullThread = t;
        t.start();
    }

    public void run() {
        beginPulling();
        pullThread = Thread.currentThread();
        boolean interruptedByCaller = pullUntilDone();
        waitForTermination();
        if (interruptedByCaller) {
            Thread.currentThread().interrupt();
        }
    }

    private void beginPulling() {
        if (producer == null) {
            throw new IllegalStateException("this runner has no producer: use call(JobCall), or build it with "
                    + "producer(...) and consumer(...)");
        }
        if (stopping) {
            throw new IllegalStateException("the runner is shut down");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("the runner was already started; a runner runs its producer once");
        }
        pullDone = false;
        Thread t = new Thread(delivery, name + "-results"); // not a daemon: results must reach the consumer
        deliveryThread = t;
        t.start();
    }

    /** @return whether someone other than the runner interrupted the pulling thread */
    private boolean pullUntilDone() {
        boolean interruptedByCaller = false;
        try {
            while (!stopping) {
                PullOutcome outcome = pullOne();
                if (outcome.call != null) {
                    begin(outcome.call, true);
                } else {
                    interruptedByCaller = outcome.interruptedByCaller;
                    break;
                }
            }
        } finally {
            pullThread = null;
            stopping = true; // the producer is done: no more direct calls either; in-flight calls still finish
            pullDone = true;
            if (interruptedByCaller) {
                shutdown(shutdownGrace);
            }
            checkTermination();
        }
        return interruptedByCaller;
    }

    private record PullOutcome(JobCall call, boolean interruptedByCaller) {
        static final PullOutcome END = new PullOutcome(null, false);
    }

    private PullOutcome pullOne() {
        if (!pullGate.arm()) {
            return PullOutcome.END;
        }
        boolean permit = false;
        JobCall next = null;
        try {
            permits.acquire();
            permit = true;
            if (stopping) {
                return PullOutcome.END;
            }
            Optional<JobCall> pulled = producer.next();
            if (pulled == null) {
                log.error("the producer returned null instead of Optional.empty(); treating it as the end");
                return PullOutcome.END;
            }
            next = pulled.orElse(null);
            return next == null ? PullOutcome.END : new PullOutcome(next, false);
        } catch (InterruptedException e) {
            return new PullOutcome(null, !stopping);
        } catch (RuntimeException | Error e) {
            log.error("the producer failed; the runner takes no more calls and finishes those in flight", e);
            listeners.producerFailed(e);
            return PullOutcome.END;
        } finally {
            pullGate.disarm();
            if (permit && next == null) {
                permits.release();
            }
        }
    }

    // ---- shutdown and termination ----

    public void shutdown(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative, was " + grace);
        }
        stopping = true;
        pullGate.close();
        if (!isTerminated()) {
            if (grace.isZero()) {
                forceCancel();
            } else {
                try {
                    scheduler.schedule(this::forceCancel, grace.toNanos(), TimeUnit.NANOSECONDS);
                } catch (RejectedExecutionException e) {
                    // terminated meanwhile: nothing is left to cancel
                }
            }
        }
        checkTermination();
    }

    private void forceCancel() {
        forced = true;
        for (CallState s : inFlight) {
            dispatcher.abortElsewhere(s, ctx -> cancelledByShutdown(s.call, ctx));
        }
        // The consumer gets its own grace period to take what is left, then its thread is interrupted, then what it
        // has still not taken is abandoned: a consumer that never returns cannot hold the runner forever.
        schedule(this::interruptDelivery, consumerGrace());
        schedule(this::abandonDelivery, consumerGrace().plus(ABANDON_AFTER_INTERRUPT));
    }

    private static final Duration ABANDON_AFTER_INTERRUPT = Duration.ofSeconds(1);
    private static final Duration INTERRUPTED_CONSUMER_WAIT = Duration.ofMillis(200);

    private Duration consumerGrace() {
        return shutdownGrace.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : shutdownGrace;
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // terminated meanwhile: nothing is left to do
        }
    }

    private void interruptDelivery() {
        Thread t = deliveryThread;
        if (t != null && !isTerminated()) {
            t.interrupt();
        }
    }

    /** Runs on the timer; the listeners it reports to run on the work pool. */
    private void abandonDelivery() {
        if (delivery == null || isTerminated()) {
            return;
        }
        for (CallState s : delivery.abandon()) {
            try {
                work.execute(() -> abandon(s));
            } catch (RejectedExecutionException e) {
                abandon(s);
            }
        }
    }

    private static CallCancelledException cancelledByShutdown(JobCall call, ErrorContext ctx) {
        return new CallCancelledException("the runner shut down before job " + call.jobId() + " finished (call "
                + call.callId() + "); its grace period ran out", ctx);
    }

    private void checkTermination() {
        if (stopping && pullDone && inFlight.isEmpty() && terminating.compareAndSet(false, true)) {
            if (delivery != null) {
                delivery.stop();
            }
            if (ownedPool != null) {
                ownedPool.shutdown();
            }
            work.shutdown();
            scheduler.shutdownNow();
            terminated.countDown();
            log.debug("runner {} terminated", name);
        }
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public boolean isShutdown() {
        return stopping;
    }

    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    public void close() {
        shutdown(shutdownGrace);
        if (!onOwnThread()) {
            waitForTermination();
        }
    }

    /** Whether the current thread is one termination waits for, so that waiting here would wait for ourselves. */
    private boolean onOwnThread() {
        Thread me = Thread.currentThread();
        if (me == pullThread || me == deliveryThread) {
            return true;
        }
        for (CallState s : inFlight) { // a dependent stage of a call's future, run while completing it
            if (s.isCompletingOn(me)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Waits for termination. An interrupt cuts every grace period short: calls in flight are cancelled at once, the
     * consumer's thread is interrupted, and results the consumer has still not taken shortly after are abandoned
     * (reported to the listeners), so the wait ends even when the consumer never returns.
     */
    private void waitForTermination() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                shutdown(Duration.ZERO);
                interruptDelivery();
                schedule(this::abandonDelivery, INTERRUPTED_CONSUMER_WAIT);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
