package dev.faasx.core.internal.runner;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasRegistry;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.NoRouteException;
import dev.faasx.core.Placement;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import dev.faasx.core.internal.Throwables;

/**
 * What happens to one call between its start and its result: routing (executor, local handler, or neither), the
 * local run, the remote run under the job's resilience settings, the deadline, the fallback. Every path ends in
 * {@link #complete} or {@link #abort}, both of which go through the call's single claim.
 */
final class CallDispatcher {
    static final String LOCAL = "local";

    private final RunnerCore core;
    private final FaasRegistry registry;
    private final JobRouter router;
    private final JobPolicies policies;
    private final Listeners listeners;
    private final ScheduledExecutorService scheduler; // the timer: it only triggers, never runs released work
    private final ScheduledExecutorService handOff;   // schedules on the timer, runs what fires on the work pool
    private final Executor work;
    private final Executor localExecutor; // null: run local handlers on the dispatching thread

    CallDispatcher(RunnerCore core, FaasRegistry registry, JobRouter router, JobPolicies policies,
                   Listeners listeners, ScheduledExecutorService scheduler, Executor work, Executor localExecutor) {
        this.core = core;
        this.registry = registry;
        this.router = router;
        this.policies = policies;
        this.listeners = listeners;
        this.scheduler = scheduler;
        this.work = work;
        this.handOff = new HandOffScheduler(scheduler, work);
        this.localExecutor = localExecutor;
    }

    /** Sends the call where it belongs; the registry is consulted now, so changes apply to the next call. */
    void route(CallState s) {
        long jobId = s.call.jobId();
        JobPolicy policy = policies.policyFor(jobId);
        s.policy = policy;
        Optional<FaasExecutor> executor = registry.executorFor(jobId);
        if (executor.isPresent()) {
            armDeadline(s, policy);
            startRemote(s, executor.get(), policy);
            return;
        }
        Optional<JobHandler> handler = router.handlerFor(jobId);
        if (handler.isPresent()) {
            armDeadline(s, policy);
            runLocally(s, handler.get(), Placement.LOCAL);
            return;
        }
        complete(s, () -> failure(s, new NoRouteException("job " + jobId + " has no local handler in the JobRouter and "
                + "no executor in the FaasRegistry; add a route or register an executor for it",
                ErrorContext.of(LOCAL, jobId)), Placement.NOT_RUN, LOCAL));
    }

    // Timers only for calls that have a deadline: scheduling one costs a lock in the scheduler's queue.
    private void armDeadline(CallState s, JobPolicy policy) {
        if (policy.deadline().isEmpty()) {
            return;
        }
        Duration deadline = policy.deadline().get();
        s.deadlineTimer(scheduler.schedule(() -> abortElsewhere(s, ctx -> new FaasTimeoutException("job "
                        + s.call.jobId() + " did not finish within its deadline of " + deadline, deadline, ctx)),
                deadline.toNanos(), TimeUnit.NANOSECONDS));
    }

    private void runLocally(CallState s, JobHandler handler, Placement placement) {
        s.localHandler = handler;
        s.localPlacement = placement;
        if (localExecutor == null) {
            runLocal(s);
            return;
        }
        try {
            localExecutor.execute(s);
        } catch (RejectedExecutionException e) {
            abort(s, ctx -> core.isStopping()
                    ? new CallCancelledException("the runner is shutting down; job " + s.call.jobId()
                    + " was not run", ctx, e)
                    : new ThrottledException("the local executor refused job " + s.call.jobId()
                    + "; it is saturated", null, ctx, e));
        } catch (RuntimeException | Error e) {
            // A user-supplied executor that fails in its own way: the call still ends, with a typed failure.
            abort(s, ctx -> new ProviderException("the local executor failed to take job " + s.call.jobId()
                    + ": " + e, false, false, ctx, e));
        }
    }

    /** Runs the local handler on the current thread, unless the call was stopped before it could start. */
    void runLocal(CallState s) {
        if (s.isClaimed() || !s.enterWorker()) {
            return;
        }
        long begin = System.nanoTime();
        JobOutput output = null;
        Throwable thrown = null;
        try {
            output = s.localHandler.handle(s.call);
        } catch (Throwable t) {
            thrown = t;
        } finally {
            s.exitWorker();
        }
        long end = System.nanoTime();
        if (s.isClaimed()) { // a deadline or shutdown got there first; its result stands
            return;
        }
        InvocationMetrics metrics = new InvocationMetrics(Figure.measured(Duration.ofNanos(end - s.startNanos)),
                Figure.measured(Duration.ofNanos(end - begin)), null, null, null, null, null, Optional.empty());
        if (output != null && thrown == null) {
            JobOutput out = output;
            complete(s, () -> JobResult.success(s.call, out, s.localPlacement, LOCAL, metrics, s.elapsed(),
                    s.attempts));
            return;
        }
        FunctionErrorException error = thrown != null ? Failures.handler(thrown, s.call.jobId())
                : new FunctionErrorException("the handler of job " + s.call.jobId() + " returned null instead of "
                + "a JobOutput", null, ErrorContext.of(LOCAL, s.call.jobId()), null);
        FaasException remoteCause = s.fallbackCause;
        if (remoteCause != null) {
            error.addSuppressed(remoteCause);
        }
        complete(s, () -> JobResult.failure(s.call, error, s.localPlacement, LOCAL, metrics, s.elapsed(),
                s.attempts));
    }

    private void startRemote(CallState s, FaasExecutor executor, JobPolicy policy) {
        String provider = providerName(executor);
        s.remoteStarted(provider);
        listeners.callDelegated(s.call, executor);
        JobResilience resilience = policies.resilienceFor(s.call.jobId(), policy);
        CompletionStage<Invocation> stage = resilience == null
                ? attempt(s, executor, provider, false)
                : resilience.execute(s, provider, handOff,
                        () -> attempt(s, executor, provider, resilience.limitsTime()));
        stage.whenComplete((invocation, failure) -> {
            try {
                remoteDone(s, provider, invocation, failure);
            } catch (RuntimeException | Error e) {
                // Whatever throws here (a listener is guarded; a user's executor may not be) still ends the call.
                abort(s, ctx -> new ProviderException("the runner failed to finish job " + s.call.jobId()
                        + " after its remote attempt: " + e, false, true, ctx, e));
            }
        });
    }

    /** One invocation. Never throws: whatever goes wrong is a failed stage. */
    private CompletableFuture<Invocation> attempt(CallState s, FaasExecutor executor, String provider,
                                                  boolean copy) {
        long jobId = s.call.jobId();
        if (s.isClaimed()) { // stopped between retries: do not send again
            return CompletableFuture.failedFuture(new CallCancelledException("job " + jobId
                    + " was stopped before this attempt", ErrorContext.of(provider, jobId)));
        }
        int attempt = ++s.attempts;
        if (attempt > 1) {
            listeners.callRetrying(s.call, attempt, s.lastAttemptError);
        }
        CompletableFuture<Invocation> future;
        try {
            future = executor.invokeWithMetrics(s.call);
        } catch (Throwable t) {
            future = CompletableFuture.failedFuture(t);
        }
        if (future == null) {
            future = CompletableFuture.failedFuture(new ProviderException("the " + provider + " executor returned "
                    + "no future for job " + jobId, false, false, ErrorContext.of(provider, jobId)));
        }
        s.remoteAttempt(future);
        // A time limiter completes the future it watches; give it a copy so the executor's own stays intact.
        return copy ? future.copy() : future;
    }

    private void remoteDone(CallState s, String provider, Invocation invocation, Throwable failure) {
        if (s.isClaimed()) {
            return;
        }
        long jobId = s.call.jobId();
        if (failure == null && invocation != null) {
            complete(s, () -> JobResult.success(s.call, invocation.output(), Placement.REMOTE, provider,
                    invocation.metrics(), s.elapsed(), s.attempts));
            return;
        }
        FaasException error = failure != null ? Failures.remote(failure, provider, jobId, null)
                : new ProviderException("the " + provider + " executor completed job " + jobId + " without an "
                + "invocation", false, true, ErrorContext.of(provider, jobId));
        if (Failures.fallbackAllowed(error, s.policy)) {
            Optional<JobHandler> handler = router.handlerFor(jobId);
            if (handler.isPresent()) {
                s.fallbackCause = error;
                listeners.callFallingBack(s.call, error);
                runLocally(s, handler.get(), Placement.LOCAL_FALLBACK);
                return;
            }
        }
        complete(s, () -> failure(s, error, Placement.REMOTE, provider));
    }

    /** Finishes the call with the result {@code result} makes, unless something else finished it first. */
    void complete(CallState s, Supplier<JobResult> result) {
        if (s.claim()) {
            core.deliver(s, result.get());
        }
    }

    /**
     * Stops the call from outside its work (rejection, a failure of the runner's own path): claims it, stops the
     * work, and delivers the failure {@code error} makes for where the call had got to.
     */
    void abort(CallState s, Function<ErrorContext, FaasException> error) {
        if (s.claim()) {
            core.deliver(s, stopped(s, error));
        }
    }

    /**
     * Like {@link #abort}, for timers (deadline, end of the shutdown grace): the claim happens here, so the call ends
     * on time, and stopping the work and delivering the result (listeners, the caller's dependent stages) run on the
     * work pool, so that no user code ever runs on the timer thread.
     */
    void abortElsewhere(CallState s, Function<ErrorContext, FaasException> error) {
        if (s.claim()) {
            elsewhere(() -> core.deliver(s, stopped(s, error)));
        }
    }

    private void elsewhere(Runnable task) {
        try {
            work.execute(task);
        } catch (RejectedExecutionException e) {
            task.run(); // the pool is gone only after termination, when nothing is left to deliver
        }
    }

    /**
     * The caller completed the future of a direct call with {@code value} itself: that value is the call's one
     * result (listeners see it too) and the work stops. False when the call had already finished.
     */
    boolean completeByCaller(CallState s, JobResult value) {
        if (value == null || !value.callId().equals(s.call.callId())) {
            throw new IllegalArgumentException("the future of call " + s.call.callId() + " can only be completed "
                    + "with a JobResult of that call, not " + value);
        }
        if (!s.claim()) {
            return false;
        }
        s.stopWork();
        core.deliver(s, value);
        return true;
    }

    /**
     * The caller completed the future of a direct call exceptionally (for example through {@code orTimeout}): the
     * call stops, and its one result is a failure typed from {@code cause}, which the future then completes with
     * (never exceptionally). Stopping and delivering run on the work pool, not on the caller's timer.
     */
    boolean failByCaller(CallState s, Throwable cause) {
        if (!s.claim()) {
            return false;
        }
        elsewhere(() -> core.deliver(s, stopped(s, ctx -> callerFailure(s, cause, ctx))));
        return true;
    }

    private static FaasException callerFailure(CallState s, Throwable cause, ErrorContext ctx) {
        Throwable t = cause == null ? null : Throwables.unwrap(cause);
        if (t instanceof FaasException f) {
            return f;
        }
        if (t instanceof TimeoutException) {
            return new FaasTimeoutException("the caller's own timeout on the future of job " + s.call.jobId()
                    + " expired first; the call was stopped", null, ctx, t);
        }
        return new CallCancelledException("the caller completed the future of job " + s.call.jobId()
                + " exceptionally (" + t + "); the call was stopped", ctx, t);
    }

    /** The caller cancelled the future of a direct call; false when the call had already finished. */
    boolean cancelByCaller(CallState s) {
        if (!s.claim()) {
            return false;
        }
        core.deliverCancelled(s, stopped(s, ctx -> new CallCancelledException("the caller cancelled the call of "
                + "job " + s.call.jobId(), ctx)));
        return true;
    }

    private JobResult stopped(CallState s, Function<ErrorContext, FaasException> error) {
        Placement placement = s.stopWork();
        String provider = s.providerFor(placement);
        return failure(s, error.apply(ErrorContext.of(provider, s.call.jobId())), placement, provider);
    }

    static JobResult failure(CallState s, FaasException error, Placement placement, String provider) {
        Figure<Duration> elapsed = s.elapsed();
        return JobResult.failure(s.call, error, placement, provider,
                InvocationMetrics.measured(elapsed.value().orElseThrow()), elapsed, s.attempts);
    }

    private static String providerName(FaasExecutor executor) {
        try {
            String name = executor.providerName();
            return name == null || name.isEmpty() ? "unknown" : name;
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
