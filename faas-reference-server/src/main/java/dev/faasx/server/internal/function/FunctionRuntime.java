package dev.faasx.server.internal.function;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.server.ServerLimits;
import dev.faasx.server.internal.HttpAnswer;
import dev.faasx.server.internal.exec.Execution;
import dev.faasx.server.internal.exec.InstancePool;
import dev.faasx.server.internal.metrics.FunctionMetrics;
import dev.faasx.server.internal.store.StoredFunction;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One deployed version of a function, running: its instance pool, its {@code max_concurrency} slots and the
 * translation between the spec's invoke messages and what the process wrote. A redeployment creates a new runtime;
 * the old one finishes the calls it admitted and is then closed, so that no call ever sees a half-replaced function.
 *
 * <p>Thread-safe.
 */
public final class FunctionRuntime {
    static final String PROVIDER = "faasx-reference-server";
    private static final String RETRY_AFTER_SECONDS = "1";

    private final StoredFunction function;
    private final InstancePool pool;
    private final FunctionMetrics metrics;
    private final SpecCodec codec;
    private final ServerLimits limits;
    private final Semaphore slots;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ErrorContext context;
    private volatile boolean retired;
    private volatile Optional<Duration> deployColdStart = Optional.empty();

    FunctionRuntime(StoredFunction function, InstancePool pool, FunctionMetrics metrics, SpecCodec codec,
                    ServerLimits limits) {
        this.function = function;
        this.pool = pool;
        this.metrics = metrics;
        this.codec = codec;
        this.limits = limits;
        this.slots = new Semaphore(Math.min(function.config().maxConcurrency(), limits.maxConcurrency()));
        this.context = ErrorContext.builder(PROVIDER).functionId(function.id()).build();
    }

    public StoredFunction function() {
        return function;
    }

    InstancePool pool() {
        return pool;
    }

    public FunctionMetrics metrics() {
        return metrics;
    }

    /** How long starting the first instance took at deployment, when one was started. */
    public Optional<Duration> deployColdStart() {
        return deployColdStart;
    }

    void deployColdStart(Duration value) {
        this.deployColdStart = Optional.of(value);
    }

    /** Empty when an instance can start (starting one if none runs), else why not. May block briefly. */
    public Optional<String> probe() {
        return pool.probe();
    }

    /** Starts {@code max(1, keep_warm)} instances (waiting until they are ready); answers how many are warm. */
    public int warm() {
        return pool.warm(Math.max(1, Math.min(function.config().keepWarm(), limits.maxKeepWarm())));
    }

    public InstancePool.InstanceCounts instances() {
        return pool.counts();
    }

    /** Admits a call unless the runtime is retired; every admitted call must {@link #exit()}. */
    boolean enter() {
        inFlight.incrementAndGet();
        if (retired) {
            exit();
            return false;
        }
        return true;
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** Stops admitting calls; {@link #awaitIdle} then waits for those already admitted. */
    void retire() {
        retired = true;
    }

    boolean awaitIdle(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        synchronized (this) {
            while (inFlight.get() > 0) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                wait(left);
            }
        }
        return true;
    }

    /**
     * Runs one invocation and builds its answer: 200 with the result, 500 with a v1 failure when the function
     * failed, 504 {@code TIMEOUT}, 503 {@code OVERLOADED} with {@code Retry-After}, or 503 {@code UNHEALTHY} when no
     * instance could start. Blocks the calling (worker) thread.
     *
     * @param arrivalNanos when the request arrived; the queue timeout counts from there
     */
    HttpAnswer invoke(InvokeRequest request, PayloadEncoding encoding, long arrivalNanos) {
        long queueDeadline = arrivalNanos + limits.queueTimeout().toNanos();
        try {
            if (!slots.tryAcquire(Math.max(0, queueDeadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return overloaded(request, "function " + function.id() + " is running its maximum of "
                        + function.config().maxConcurrency() + " concurrent invocations");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return platformFailure(request, ErrorCode.UNHEALTHY, "the server was interrupted", Map.of());
        }
        try {
            Execution execution;
            try {
                execution = pool.execute(codec.encodeRequest(request), queueDeadline);
            } catch (InstancePool.NoInstanceException e) {
                return overloaded(request, e.getMessage());
            }
            HttpAnswer answer;
            try {
                answer = answer(request, encoding, execution);
            } catch (RuntimeException e) {
                execution.afterAnswer().run();
                throw e;
            }
            metrics.recordRun(resultOf(answer.status(), execution), execution.coldStart(),
                    System.nanoTime() - arrivalNanos);
            return answer.withAfterSend(execution.afterAnswer());
        } finally {
            slots.release();
        }
    }

    private HttpAnswer answer(InvokeRequest request, PayloadEncoding encoding, Execution execution) {
        switch (execution.outcome()) {
            case COMPLETED:
                return completed(request, encoding, execution);
            case CRASHED:
                return functionFailure(request, encoding, execution, "bootstrap of function " + function.id()
                        + " ended without answering" + exited(execution) + stderr(execution));
            case OUT_OF_MEMORY:
                return functionFailure(request, encoding, execution, "function " + function.id()
                        + " ran out of memory: it used more than its memory_mb of " + function.config().memoryMb()
                        + " MiB and was killed; the instance is replaced" + stderr(execution), "OUT_OF_MEMORY");
            case OUTPUT_TOO_LARGE:
                return functionFailure(request, encoding, execution, "function " + function.id()
                        + " answered with more than " + limits.maxOutputBytes() + " bytes; its processes were killed");
            case TIMED_OUT:
                return platformFailure(request, ErrorCode.TIMEOUT, "function " + function.id()
                        + " did not finish within its timeout of " + function.config().timeoutSecs()
                        + " s; its processes were killed", Map.of("timeout_secs",
                        Long.toString(function.config().timeoutSecs())));
            case ABORTED:
                return platformFailure(request, ErrorCode.UNHEALTHY, "the invocation of function " + function.id()
                        + " was stopped because the server is shutting down or the function was removed", Map.of());
            case FAILED_TO_START:
            default:
                return platformFailure(request, ErrorCode.UNHEALTHY, execution.stderr(), Map.of());
        }
    }

    private HttpAnswer completed(InvokeRequest request, PayloadEncoding encoding, Execution execution) {
        InvokeResponse reply;
        try {
            reply = codec.decodeResponse(execution.output(), context.toBuilder().jobId(request.jobId()).build());
        } catch (ProtocolException e) {
            return functionFailure(request, encoding, execution, "function " + function.id()
                    + " wrote an invalid answer: " + e.reason() + exited(execution) + stderr(execution));
        }
        InvokeResponse.Builder out = measured(request, execution).result(reply.result()).metadata(reply.metadata());
        if (request.callId().isEmpty()) {
            reply.callId().ifPresent(out::callId);
        }
        if (!reply.success()) {
            out.failure(reply.error().orElse("function " + function.id() + " reported a failure without a message"));
            reply.errorType().ifPresent(out::errorType);
        }
        return HttpAnswer.json(reply.success() ? 200 : 500, codec.encodeResponse(out.build(), encoding));
    }

    private HttpAnswer functionFailure(InvokeRequest request, PayloadEncoding encoding, Execution execution,
                                       String message) {
        return HttpAnswer.json(500, codec.encodeResponse(measured(request, execution).failure(message).build(),
                encoding));
    }

    private HttpAnswer functionFailure(InvokeRequest request, PayloadEncoding encoding, Execution execution,
                                       String message, String errorType) {
        return HttpAnswer.json(500, codec.encodeResponse(measured(request, execution).failure(message)
                .errorType(errorType).build(), encoding));
    }

    /** A response carrying what the server measured about the run. */
    private InvokeResponse.Builder measured(InvokeRequest request, Execution execution) {
        InvokeResponse.Builder out = InvokeResponse.builder(request.jobId())
                .callId(request.callId().orElse(null))
                .executionDuration(execution.duration())
                .coldStart(execution.coldStart());
        execution.initDuration().ifPresent(out::initDuration);
        execution.memoryUsedMb().ifPresent(out::memoryUsedMb);
        return out;
    }

    private HttpAnswer overloaded(InvokeRequest request, String message) {
        metrics.record(FunctionMetrics.Result.OVERLOADED);
        return platformFailure(request, ErrorCode.OVERLOADED, message + "; retry after "
                + RETRY_AFTER_SECONDS + " s", Map.of("max_concurrency",
                Integer.toString(function.config().maxConcurrency())))
                .withHeader("Retry-After", RETRY_AFTER_SECONDS);
    }

    private HttpAnswer platformFailure(InvokeRequest request, ErrorCode code, String message,
                                       Map<String, String> details) {
        ErrorBody body = ErrorBody.of(code, message, details).withDetail("function_id", function.id());
        return HttpAnswer.json(code.httpStatus(), codec.encodeInvokeFailure(request.jobId(), request.callId(), body));
    }

    private static FunctionMetrics.Result resultOf(int status, Execution execution) {
        if (status == 200) {
            return FunctionMetrics.Result.SUCCESS;
        }
        switch (execution.outcome()) {
            case TIMED_OUT:
                return FunctionMetrics.Result.TIMEOUT;
            case ABORTED:
                return FunctionMetrics.Result.ABORTED;
            case FAILED_TO_START:
                return FunctionMetrics.Result.UNHEALTHY;
            default:
                return FunctionMetrics.Result.FUNCTION_ERROR;
        }
    }

    private static String exited(Execution execution) {
        return execution.exitCode().isPresent() ? " (exit status " + execution.exitCode().getAsInt() + ")" : "";
    }

    private static String stderr(Execution execution) {
        return execution.stderr().isEmpty() ? "" : "; stderr: " + execution.stderr();
    }
}
