package dev.faasx.testkit.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.testkit.FunctionEnvironment;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One deployed function of the in-memory platform: the handler class loaded from its JAR, a pool of handler
 * instances (an instance serves one call at a time, as on the big platforms, so the first call of a fresh
 * instance is a cold start), at most {@code maxConcurrency} calls at once, and the configured timeout.
 */
public final class InMemoryFunction {
    private static final Duration IDLE_THREAD_KEEP_ALIVE = Duration.ofSeconds(30);

    private final String provider;
    private final long jobId;
    private final String functionId;
    private final FaasConfig config;
    private final JarBytesClassLoader loader;
    private final Constructor<? extends JobHandler> constructor;
    private final FaasDeployment deployment;
    private final ScheduledExecutorService timer;
    private final Semaphore permits;
    private final Deque<JobHandler> idle = new ConcurrentLinkedDeque<>();
    private final ThreadPoolExecutor pool;

    InMemoryFunction(HandlerLoader.Loaded loaded, String provider, long jobId, String functionId, FaasConfig config,
                     FunctionPackage.Jar jar, ScheduledExecutorService timer) {
        this.provider = provider;
        this.jobId = jobId;
        this.functionId = functionId;
        this.config = config;
        this.loader = loaded.loader();
        this.constructor = loaded.constructor();
        this.timer = timer;
        this.permits = new Semaphore(config.maxConcurrency());
        this.deployment = FaasDeployment.builder(functionId, jobId, provider)
                .memoryMb(config.memoryMb())
                .timeout(config.timeout())
                .deployedAt(Instant.now())
                .packageSizeBytes(jar.sizeBytes())
                .coldStart(Figure.reported(loaded.loadDuration()))
                .build();
        // One thread per permitted call, plus one so that warm() and health() need not wait behind calls.
        int threads = config.maxConcurrency() + 1;
        this.pool = new ThreadPoolExecutor(threads, threads, IDLE_THREAD_KEEP_ALIVE.toMillis(),
                TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                DaemonThreads.named("faasx-in-memory-job-" + jobId));
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Loads {@code jar}'s handler and makes it a function.
     *
     * @throws dev.faasx.core.InvalidRequestException naming what is wrong with the package
     */
    public static InMemoryFunction load(String provider, long jobId, String functionId, FunctionPackage.Jar jar,
                                        FaasConfig config, ClassLoader parent, ScheduledExecutorService timer) {
        ErrorContext context = ErrorContext.builder(provider).jobId(jobId).functionId(functionId).build();
        HandlerLoader.Loaded loaded = HandlerLoader.load(jar, functionId, parent, context);
        return new InMemoryFunction(loaded, provider, jobId, functionId, config, jar, timer);
    }

    public FaasDeployment deployment() {
        return deployment;
    }

    /** Runs {@code call} on a pool thread; throttles beyond {@code maxConcurrency}; enforces the timeout. */
    public CompletableFuture<Invocation> invoke(JobCall call) {
        long start = System.nanoTime();
        if (!permits.tryAcquire()) {
            return CompletableFuture.failedFuture(new ThrottledException("job " + jobId + " already runs its limit"
                    + " of " + config.maxConcurrency() + " concurrent invocations; retry when one finishes or deploy"
                    + " with a higher maxConcurrency", null, context().code("OVERLOADED").build(), null));
        }
        CompletableFuture<Invocation> result = new CompletableFuture<>();
        RunningCall running = new RunningCall();
        try {
            pool.execute(() -> run(call, result, running, start));
        } catch (RejectedExecutionException e) {
            permits.release();
            return CompletableFuture.failedFuture(notFound());
        }
        ScheduledFuture<?> deadline = scheduleTimeout(result);
        // Runs after the deadline or a caller's cancel (interrupting the handler), and after run() itself
        // completed the call, when interrupt() finds nothing left to interrupt.
        result.whenComplete((value, error) -> {
            if (deadline != null) {
                deadline.cancel(false);
            }
            running.interrupt();
        });
        return result;
    }

    /** Makes sure {@code max(1, keepWarmInstances)} instances are ready, so that the next calls are warm. */
    public CompletableFuture<Void> warm() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        return onPool(done, () -> {
            int wanted = Math.max(1, config.keepWarmInstances()) - idle.size();
            for (int i = 0; i < wanted; i++) {
                idle.offerFirst(newInstance());
            }
            done.complete(null);
        });
    }

    /** Healthy when an instance is ready or a new one can be created. */
    public CompletableFuture<FaasHealth> health() {
        if (!idle.isEmpty()) {
            return CompletableFuture.completedFuture(FaasHealth.ok());
        }
        CompletableFuture<FaasHealth> health = new CompletableFuture<>();
        return onPool(health, () -> {
            try {
                newInstance();
                health.complete(FaasHealth.ok());
            } catch (FunctionErrorException e) {
                health.complete(FaasHealth.failing(e.reason()));
            }
        });
    }

    /** Takes no new calls; calls already running finish on their threads, which then end. */
    public void retire() {
        pool.shutdown();
        idle.clear();
    }

    private void run(JobCall call, CompletableFuture<Invocation> result, RunningCall running, long start) {
        if (!running.start()) {
            permits.release();
            return;
        }
        JobHandler instance = idle.pollFirst();
        boolean cold = instance == null;
        Invocation invocation = null;
        FunctionErrorException failure = null;
        boolean reusable = true;
        try {
            long initStart = System.nanoTime();
            if (cold) {
                instance = newInstance();
            }
            Duration init = Duration.ofNanos(System.nanoTime() - initStart);
            long executionStart = System.nanoTime();
            JobHandler handler = instance;
            JobOutput output = inFunctionContext(() -> handler.handle(call));
            Duration execution = Duration.ofNanos(System.nanoTime() - executionStart);
            if (output == null) {
                throw new IllegalStateException("the handler returned null instead of a JobOutput");
            }
            InvocationMetrics.Builder metrics = InvocationMetrics.builder()
                    .totalDuration(Figure.measured(Duration.ofNanos(System.nanoTime() - start)))
                    .executionDuration(Figure.reported(execution))
                    .coldStart(Figure.reported(cold));
            if (cold) {
                metrics.initDuration(Figure.reported(init));
            }
            invocation = new Invocation(output, metrics.build());
        } catch (FunctionErrorException e) {
            failure = e;
        } catch (Throwable t) {
            reusable = !(t instanceof Error);
            failure = functionError("the handler failed", t);
        } finally {
            running.finish();
            // The caller sees the permit and the instance back before it sees the result, so a next call
            // made as soon as this one completes is neither throttled nor cold.
            if (instance != null && reusable && !result.isDone()) {
                idle.offerFirst(instance);
            }
            permits.release();
        }
        if (invocation != null) {
            result.complete(invocation);
        } else {
            result.completeExceptionally(failure);
        }
    }

    private ScheduledFuture<?> scheduleTimeout(CompletableFuture<Invocation> result) {
        try {
            return timer.schedule(() -> result.completeExceptionally(new FaasTimeoutException("job " + jobId
                    + " did not finish within its timeout of " + config.timeout()
                    + "; the handler was interrupted", config.timeout(), context().code("TIMEOUT").build())),
                    config.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(notFound());
            return null;
        }
    }

    private JobHandler newInstance() {
        try {
            return inFunctionContext(constructor::newInstance);
        } catch (InvocationTargetException e) {
            throw functionError("the handler could not be created", e.getCause());
        } catch (Throwable t) {
            throw functionError("the handler could not be created", t instanceof ExceptionInInitializerError
                    && t.getCause() != null ? t.getCause() : t);
        }
    }

    // Runs user code as a function process would see it: its own class loader and its configured environment.
    private <T> T inFunctionContext(Callable<T> action) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return FunctionEnvironment.with(config.envVars(), action);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private <T> CompletableFuture<T> onPool(CompletableFuture<T> future, ThrowingRunnable task) {
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) {
                    future.completeExceptionally(t instanceof FunctionErrorException ? t
                            : functionError("the handler could not be created", t));
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(notFound());
        }
        return future;
    }

    private FunctionErrorException functionError(String what, Throwable cause) {
        String message = cause.getMessage() == null || cause.getMessage().isBlank()
                ? what + " with " + cause.getClass().getName() : cause.getMessage();
        return new FunctionErrorException(message, cause.getClass().getName(), context().build(), cause);
    }

    private FunctionNotFoundException notFound() {
        return new FunctionNotFoundException("job " + jobId + " has no function deployed on " + provider
                + " (it was undeployed or replaced); deploy it first", context().build());
    }

    private ErrorContext.Builder context() {
        return ErrorContext.builder(provider).jobId(jobId).functionId(functionId);
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Lets a deadline or a cancel interrupt the handler's thread only while it runs this call. */
    private static final class RunningCall {
        private Thread thread;
        private boolean abandoned;

        synchronized boolean start() {
            if (abandoned) {
                return false;
            }
            thread = Thread.currentThread();
            return true;
        }

        synchronized void finish() {
            thread = null;
            abandoned = true;
            Thread.interrupted(); // clear an interrupt that arrived as the handler returned
        }

        synchronized void interrupt() {
            abandoned = true;
            if (thread != null) {
                thread.interrupt();
            }
        }
    }
}
