package dev.faasx.core;

import dev.faasx.core.internal.runner.RunnerCore;
import dev.faasx.core.internal.runner.RunnerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Runs jobs: each call from a {@link JobProducer} (or given to {@link #call}) runs on the platform of the executor
 * its job id is registered to in the {@link FaasRegistry}, or else on the {@link JobRouter}'s local handler, under
 * the job's {@link JobPolicy}; its one {@link JobResult} goes to the {@link JobConsumer}.
 *
 * <pre>{@code
 * JobRouter router = JobRouter.builder().route(1, JobHandler.ofBytes(body -> body)).build();
 * try (FaasRunner runner = FaasRunner.builder()
 *         .router(router)                                  // job 1 runs here
 *         .withFaasExecutor(7, lambda)                     // job 7 runs on AWS Lambda
 *         .producer(JobProducer.of(calls))
 *         .consumer(result -> store(result))
 *         .defaultPolicy(JobPolicy.builder().deadline(Duration.ofSeconds(30)).build())
 *         .build()) {
 *     runner.run();                                        // returns when every call has its result
 * }
 * }</pre>
 *
 * <h2>What the runner promises</h2>
 * <ul>
 *   <li><b>Exactly one result per call</b>, whatever happens: success, a handler that throws
 *       ({@link FunctionErrorException}), a remote failure (the executor's {@link FaasException}; anything else an
 *       executor throws becomes a {@link ProviderException}), no route ({@link NoRouteException}), a deadline
 *       ({@link FaasTimeoutException}), a shutdown or cancellation ({@link CallCancelledException}). The result
 *       carries the call's id, where it ran ({@link Placement}), the provider ({@code "local"} or
 *       {@link FaasExecutor#providerName()}) and its metrics (local: measured by the runner; remote: the
 *       executor's).</li>
 *   <li><b>Routing at call time.</b> Each call looks its job id up in the registry when it starts, so registering
 *       or unregistering an executor while the runner runs affects the next calls.</li>
 *   <li><b>Bounded concurrency.</b> At most {@code maxInFlight} producer calls are in flight; the producer is
 *       asked for the next call only when there is room and the consumer has taken the result that made it.</li>
 *   <li><b>Resilience</b> for delegated calls, per job: retry of what is safe to retry, circuit breaker, time
 *       limiter, bulkhead, fallback to the local handler (see {@link JobPolicy}).</li>
 *   <li><b>Robustness.</b> A failing job, consumer or listener never stops the runner.</li>
 * </ul>
 *
 * <h2>Lifecycle</h2>
 * {@link #run()} pulls calls on the calling thread and returns when the producer is exhausted and every result has
 * been delivered; {@link #start()} does the same on a background thread. A runner runs its producer once; when the
 * producer ends the runner finishes its calls and terminates. {@link #shutdown(Duration)} stops pulling, lets calls
 * in flight finish within the grace period and then fails the rest with {@link CallCancelledException};
 * {@link #close()} shuts down with the builder's grace period and waits for termination. The runner owns its
 * threads (a local pool unless you give an executor, one timer thread, one delivery thread) and stops them on
 * termination; it does not close the executors, which you own.
 *
 * <h2>Threads</h2>
 * The runner is thread-safe: {@link #call} may be used from any thread, alongside a running producer. The consumer
 * is called on the runner's delivery thread, one result at a time. Local handlers run on the local executor (or,
 * with {@link Builder#callerRunsLocalHandlers()}, on the thread that dispatches the call). The future of
 * {@link #call} may complete on a runner thread or on an executor's thread: use the {@code ...Async} variants for
 * heavy work that depends on it.
 */
public final class FaasRunner implements AutoCloseable {
    private final RunnerCore core;

    private FaasRunner(RunnerCore core) {
        this.core = core;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registry this runner consults for every call; change it at any time. */
    public FaasRegistry registry() {
        return core.registry();
    }

    /**
     * Runs one call directly, with the same routing, policy and deadline as a producer call. Its result completes
     * the returned future (never exceptionally) and goes to the listeners, not to the consumer. Calls made after
     * shutdown fail with {@link CallCancelledException}. Direct calls have their own bound
     * ({@link Builder#maxDirectCalls}); a call over it fails at once with {@link ThrottledException}.
     *
     * <p>The future belongs to the call: cancelling it stops the call (its listeners see a
     * {@link CallCancelledException}); completing it exceptionally, which is what {@code orTimeout} does, stops the
     * call too and completes the future with a failed {@link JobResult} typed from the exception (a
     * {@code TimeoutException} becomes a {@link FaasTimeoutException}); completing it with a {@link JobResult} of
     * this call makes that the call's one result. {@code obtrudeValue} and {@code obtrudeException} are refused.
     * Whatever happens, the caller and the listeners see the same single result.
     *
     * <pre>{@code
     * JobResult result = runner.call(JobCall.of(1, body)).join();
     * }</pre>
     */
    public CompletableFuture<JobResult> call(JobCall call) {
        return core.call(call);
    }

    /**
     * Starts pulling calls from the producer on a new thread and returns at once.
     *
     * @throws IllegalStateException when there is no producer, or the runner was already started or shut down
     */
    public void start() {
        core.start();
    }

    /**
     * Pulls calls from the producer on this thread until it is exhausted, then waits until every result has been
     * delivered and the runner has terminated. Interrupting this thread shuts the runner down with the builder's
     * grace period (a second interrupt cuts it short); the interrupt status is kept.
     *
     * @throws IllegalStateException when there is no producer, or the runner was already started or shut down
     */
    public void run() {
        core.run();
    }

    /**
     * Begins an orderly shutdown and returns at once: no more calls are pulled or accepted, calls in flight may
     * finish within {@code grace}, and those still running then fail with {@link CallCancelledException} (their
     * handler threads are interrupted and their remote futures cancelled). Calling it again with a shorter grace
     * period cuts the wait short. Use {@link #awaitTermination} to wait.
     */
    public void shutdown(Duration grace) {
        core.shutdown(grace);
    }

    /** Waits until the runner has terminated or {@code timeout} has passed; true when terminated. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return core.awaitTermination(timeout);
    }

    /** Whether shutdown has begun (or the producer has ended). */
    public boolean isShutdown() {
        return core.isShutdown();
    }

    /** Whether every call has its result, the consumer has taken them all and the runner's threads are stopping. */
    public boolean isTerminated() {
        return core.isTerminated();
    }

    /**
     * Shuts down with the builder's {@linkplain Builder#shutdownGrace grace period} and waits for termination.
     * Called where waiting would wait for itself (the consumer, a caller-runs handler on the pulling thread, a
     * stage that depends on a {@link #call} future), it only begins the shutdown. Called from a handler on the
     * local pool, it returns once the grace period has ended that handler's own call.
     */
    @Override
    public void close() {
        core.close();
    }

    /**
     * Builds a {@link FaasRunner}. Everything is optional: a runner with only a router serves {@link #call}; to
     * {@link #run()} or {@link #start()} it needs a producer and a consumer. Not thread-safe.
     */
    public static final class Builder {
        private JobRouter router = JobRouter.empty();
        private JobProducer producer;
        private JobConsumer consumer;
        private FaasRegistry registry;
        private final Map<Long, FaasExecutor> executors = new LinkedHashMap<>();
        private int maxInFlight = 64;
        private int maxDirectCalls = 1024;
        private Executor localExecutor;
        private boolean callerRuns;
        private int localThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private JobPolicy defaultPolicy = JobPolicy.defaults();
        private final Map<Long, JobPolicy> policies = new HashMap<>();
        private final List<RunnerListener> listeners = new ArrayList<>();
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private String name = "faasx-runner";

        private Builder() {
        }

        /** The local handlers; default none. */
        public Builder router(JobRouter value) {
            this.router = Objects.requireNonNull(value, "router");
            return this;
        }

        public Builder producer(JobProducer value) {
            this.producer = Objects.requireNonNull(value, "producer");
            return this;
        }

        public Builder consumer(JobConsumer value) {
            this.consumer = Objects.requireNonNull(value, "consumer");
            return this;
        }

        /** An existing registry to consult (and to add {@link #withFaasExecutor} entries to); default a new one. */
        public Builder registry(FaasRegistry value) {
            this.registry = Objects.requireNonNull(value, "registry");
            return this;
        }

        /** Delegates {@code jobId} to {@code executor}: registers it in the runner's registry when built. */
        public Builder withFaasExecutor(long jobId, FaasExecutor executor) {
            executors.put(jobId, Objects.requireNonNull(executor, "executor"));
            return this;
        }

        /** The most producer calls in flight at once (default 64). */
        public Builder maxInFlight(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxInFlight must be at least 1, was " + value);
            }
            this.maxInFlight = value;
            return this;
        }

        /**
         * The most direct calls ({@link FaasRunner#call}) in flight at once (default 1024). A call over the limit is
         * not run: its future completes at once with a {@link ThrottledException} failure, so a caller that
         * outpaces the runner learns it instead of queueing without bound.
         */
        public Builder maxDirectCalls(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxDirectCalls must be at least 1, was " + value);
            }
            this.maxDirectCalls = value;
            return this;
        }

        /** Runs local handlers on {@code executor}, which you own (the runner does not shut it down). */
        public Builder localExecutor(Executor executor) {
            this.localExecutor = Objects.requireNonNull(executor, "executor");
            this.callerRuns = false;
            return this;
        }

        /**
         * Runs local handlers on the thread that dispatches the call: the pulling thread for producer calls, the
         * caller's thread for {@link #call}, the completing thread for a fallback. Only for handlers that take
         * microseconds: it saves a thread hand-off, but a slow handler holds up everything on that thread.
         */
        public Builder callerRunsLocalHandlers() {
            this.callerRuns = true;
            this.localExecutor = null;
            return this;
        }

        /** Threads of the local pool the runner owns (default: the number of processors, at least 2). */
        public Builder localThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("localThreads must be at least 1, was " + value);
            }
            this.localThreads = value;
            return this;
        }

        /** The policy of every job without its own (default {@link JobPolicy#defaults()}). */
        public Builder defaultPolicy(JobPolicy value) {
            this.defaultPolicy = Objects.requireNonNull(value, "defaultPolicy");
            return this;
        }

        /** The policy of {@code jobId}, replacing the default policy for that job. */
        public Builder policy(long jobId, JobPolicy value) {
            policies.put(jobId, Objects.requireNonNull(value, "policy"));
            return this;
        }

        /** Adds a listener; listeners are called in the order added. */
        public Builder listener(RunnerListener value) {
            listeners.add(Objects.requireNonNull(value, "listener"));
            return this;
        }

        /** How long {@link FaasRunner#close()} lets calls in flight finish (default 30 s). */
        public Builder shutdownGrace(Duration value) {
            Objects.requireNonNull(value, "shutdownGrace");
            if (value.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative, was " + value);
            }
            this.shutdownGrace = value;
            return this;
        }

        /** Prefix of the runner's thread names (default {@code faasx-runner}). */
        public Builder name(String value) {
            Objects.requireNonNull(value, "name");
            if (value.isBlank()) {
                throw new IllegalArgumentException("name must not be blank");
            }
            this.name = value;
            return this;
        }

        /**
         * @throws IllegalStateException when a producer is set without a consumer (its results would be lost)
         */
        public FaasRunner build() {
            if (producer != null && consumer == null) {
                throw new IllegalStateException("a runner with a producer needs a consumer for the results");
            }
            FaasRegistry reg = registry != null ? registry : FaasRegistry.create();
            executors.forEach(reg::register);
            return new FaasRunner(new RunnerCore(new RunnerSettings(name, router, producer, consumer, reg,
                    maxInFlight, maxDirectCalls, localExecutor, callerRuns, localThreads, defaultPolicy, policies, listeners,
                    shutdownGrace)));
        }
    }
}
