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
 * thread that calls the consumer; one timer thread for deadlines, retry waits, time limits and the shutdown grace;
 * the local pool (unless the user gave an executor or chose caller-runs); and whatever threads complete the
 * executors' futures.
 *
 * <p>Back-pressure: a permit per producer call, taken before the producer is asked for the call and returned only
 * after the consumer has taken its result. The producer is therefore never more than {@code maxInFlight} calls
 * ahead of the consumer, and nothing queues without bound.
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
    private final ThreadPoolExecutor ownedPool;
    private final CallDispatcher dispatcher;
    private final Set<CallState> inFlight = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
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
        this.scheduler = new ScheduledThreadPoolExecutor(1, new RunnerThreads(name + "-timer", true));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        Executor local = settings.localExecutor();
        if (local == null && !settings.callerRuns()) {
            ownedPool = new ThreadPoolExecutor(settings.localThreads(), settings.localThreads(), 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), new RunnerThreads(name + "-local", true));
            ownedPool.allowCoreThreadTimeOut(true);
            local = ownedPool;
        } else {
            ownedPool = null;
        }
        this.delivery = consumer == null ? null : new ResultDelivery(this);
        this.dispatcher = new CallDispatcher(this, registry, settings.router(),
                new JobPolicies(settings.defaultPolicy(), settings.policies()), listeners, scheduler, local);
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
        // Register before looking at the state: shutdown sets its flag before looking at the set, so either it sees
        // this call (and termination waits for it) or this call sees the flag.
        inFlight.add(s);
        // A call the producer already handed over is never refused: dropping it would lose it. Direct calls are.
        if (!fromProducer && stopping) {
            dispatcher.complete(s, CallDispatcher.failure(s, new CallCancelledException("the runner is shut down; "
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
        inFlight.remove(s);
        if (s.fromProducer) {
            permits.release();
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
        Thread t = new RunnerThreads(name + "-producer", false).newThread(this::pullUntilDone);
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
        Thread t = new RunnerThreads(name + "-results", false).newThread(delivery);
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
            dispatcher.abort(s, ctx -> cancelledByShutdown(s.call, ctx));
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

    /** Waits for termination; an interrupt cuts the grace period short instead of abandoning the wait. */
    private void waitForTermination() {
        boolean interrupted = false;
        while (true) {
            try {
                terminated.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                shutdown(Duration.ZERO);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
