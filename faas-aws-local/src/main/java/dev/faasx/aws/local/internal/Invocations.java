package dev.faasx.aws.local.internal;

import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.aws.local.EventOutcome;
import com.sun.net.httpserver.HttpExchange;
import dev.faasx.aws.local.internal.LambdaApiServer.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The invoke half of the emulator: the Invoke API, a pool of execution environments per function, concurrency limits,
 * provisioned environments and the queue of asynchronous (Event) invocations.
 */
public final class Invocations {
    private static final int MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
    private static final int MAX_EVENT_PAYLOAD = 1024 * 1024;
    private static final int LOG_TAIL_BYTES = 4096;

    /** An environment and the qualifier it serves ({@code null} for on-demand environments). */
    private record Slot(ExecutionEnvironment environment, String provisionedFor) {
    }

    private final LambdaApiServer service;
    private final Map<String, List<Slot>> idle = new HashMap<>();
    private final Map<String, Integer> busy = new HashMap<>();
    private final Map<String, Integer> started = new HashMap<>();
    private final List<ExecutionEnvironment> all = new CopyOnWriteArrayList<>();
    private final List<EventOutcome> events = new CopyOnWriteArrayList<>();
    private final ExecutorService eventQueue = Executors.newFixedThreadPool(2, DaemonThreads.named("local-lambda-events"));

    Invocations(LambdaApiServer service) {
        this.service = service;
    }

    Response invoke(String name, String qualifier, HttpExchange exchange, byte[] payload, String requestId) {
        String type = header(exchange, "X-Amz-Invocation-Type", "RequestResponse");
        boolean tail = "Tail".equals(header(exchange, "X-Amz-Log-Type", "None"));
        int limit = type.equals("Event") ? MAX_EVENT_PAYLOAD : MAX_SYNC_PAYLOAD;
        if (payload.length > limit) {
            throw new ApiError(413, "RequestTooLargeException", "Request must be smaller than " + limit
                    + " bytes for the InvokeFunction operation");
        }
        if (payload.length > 0) {
            ApiJson.requireJson(payload);
        }
        if (service.throttles.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw ApiError.throttled("CallerRateLimitExceeded");
        }
        Target target = resolve(name, qualifier);
        return switch (type) {
            case "DryRun" -> Response.empty(204);
            case "Event" -> {
                eventQueue.submit(() -> runEvent(target, payload, requestId));
                yield Response.empty(202);
            }
            case "RequestResponse" -> {
                ExecutionEnvironment.Result result = run(target, payload, requestId);
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Content-Type", "application/json");
                headers.put("X-Amz-Executed-Version", target.snapshot.version());
                if (result.functionError() != null) {
                    headers.put("X-Amz-Function-Error", result.functionError());
                }
                if (tail) {
                    headers.put("X-Amz-Log-Result", Base64.getEncoder().encodeToString(tail(result.log())));
                }
                yield new Response(200, headers, result.payload());
            }
            default -> throw new ApiError(400, "InvalidParameterValueException",
                    "Unsupported invocation type " + type);
        };
    }

    private record Target(FunctionRecord function, CodeSnapshot snapshot, String qualifier) {
    }

    private Target resolve(String name, String qualifier) {
        synchronized (service.lock) {
            FunctionRecord fn = service.functions.get(name);
            if (fn == null) {
                throw ApiError.notFound("Function not found: " + LambdaApiServer.arn(name));
            }
            if ("Inactive".equals(fn.state)) {
                // Lambda answers the call that finds a function inactive with an error and starts restoring it.
                fn.state = "Pending";
                fn.stateReason = "The function is being restored after it was inactive.";
                fn.stateReasonCode = "Restoring";
                service.later(() -> {
                    if (service.functions.get(name) == fn && "Pending".equals(fn.state)) {
                        fn.state = "Active";
                        fn.stateReason = null;
                        fn.stateReasonCode = null;
                    }
                });
                throw new ApiError(502, "ResourceNotReadyException", "The function is inactive and its resources"
                        + " are being restored. Wait until its State is Active and try again.");
            }
            if (!"Active".equals(fn.state)) {
                throw ApiError.conflict("The operation cannot be performed at this time. The function is currently"
                        + " in the following state: " + fn.state);
            }
            if (qualifier == null || qualifier.equals("$LATEST")) {
                return new Target(fn, fn.latest, null);
            }
            String version = fn.aliases.getOrDefault(qualifier, qualifier);
            CodeSnapshot snapshot = fn.versions.get(version);
            if (snapshot == null) {
                throw ApiError.notFound("Function not found: " + fn.arn + ":" + qualifier);
            }
            return new Target(fn, snapshot, qualifier);
        }
    }

    private ExecutionEnvironment.Result run(Target target, byte[] payload, String requestId) {
        Slot slot = acquire(target);
        ExecutionEnvironment.Result result = slot.environment().invoke(requestId, payload,
                target.snapshot.version());
        release(target.function.name, slot, result.environmentLost());
        return result;
    }

    private void runEvent(Target target, byte[] payload, String requestId) {
        ExecutionEnvironment.Result result = null;
        int attempt = 0;
        int throttled = 0;
        while (attempt < 3 && throttled < 100) {
            attempt++;
            try {
                result = run(target, payload, requestId);
            } catch (ApiError busyNow) {
                // Lambda keeps throttled events queued and tries again later.
                sleep(100);
                attempt--;
                throttled++;
                continue;
            }
            if (result.functionError() == null) {
                break;
            }
            sleep(100);
        }
        events.add(new EventOutcome(requestId, target.function.name, attempt,
                result != null && result.functionError() == null,
                result == null ? "throttled" : new String(result.payload(), StandardCharsets.UTF_8)));
    }

    private Slot acquire(Target target) {
        String name = target.function.name;
        synchronized (service.lock) {
            List<Slot> free = idle.computeIfAbsent(name, k -> new ArrayList<>());
            free.removeIf(s -> !s.environment().alive());
            for (int i = 0; i < free.size(); i++) {
                Slot s = free.get(i);
                if (s.environment().snapshot() == target.snapshot) {
                    free.remove(i);
                    busy.merge(name, 1, Integer::sum);
                    return s;
                }
            }
            int running = busy.getOrDefault(name, 0);
            Integer reserved = target.function.reservedConcurrency;
            if (reserved != null && running >= reserved) {
                throw ApiError.throttled("ReservedFunctionConcurrentInvocationLimitExceeded");
            }
            int total = busy.values().stream().mapToInt(Integer::intValue).sum();
            if (total >= service.accountConcurrency) {
                throw ApiError.throttled("ConcurrentInvocationLimitExceeded");
            }
            busy.merge(name, 1, Integer::sum);
        }
        try {
            // Extracting the package and starting the process take a while: not under the lock.
            return new Slot(start(target.function, target.snapshot, false), null);
        } catch (RuntimeException e) {
            synchronized (service.lock) {
                busy.merge(name, -1, Integer::sum);
            }
            throw e;
        }
    }

    private void release(String name, Slot slot, boolean lost) {
        synchronized (service.lock) {
            busy.merge(name, -1, Integer::sum);
            FunctionRecord fn = service.functions.get(name);
            boolean current = fn != null && (fn.latest == slot.environment().snapshot()
                    || fn.versions.containsValue(slot.environment().snapshot()));
            if (lost || !current || !slot.environment().alive()) {
                slot.environment().close();
            } else {
                idle.computeIfAbsent(name, k -> new ArrayList<>()).add(slot);
            }
        }
    }

    private ExecutionEnvironment start(FunctionRecord fn, CodeSnapshot snapshot, boolean provisioned) {
        try {
            ExecutionEnvironment env = new ExecutionEnvironment(fn.name, fn.arn, snapshot, provisioned, service.code,
                    service.threads, service.initTimeout);
            all.add(env);
            synchronized (service.lock) {
                started.merge(fn.name, 1, Integer::sum);
            }
            return env;
        } catch (IOException e) {
            throw new ApiError(500, "ServiceException", "cannot start an execution environment: " + e);
        }
    }

    /** Starts {@code config.requested} initialised environments for the alias or version. */
    void provision(FunctionRecord fn, String qualifier, CodeSnapshot snapshot, FunctionRecord.ProvisionedConfig config) {
        dropProvisioned(fn.name, qualifier);
        List<CompletableFuture<Long>> readiness = new ArrayList<>();
        for (int i = 0; i < config.requested; i++) {
            ExecutionEnvironment env = start(fn, snapshot, true);
            idle.computeIfAbsent(fn.name, k -> new ArrayList<>()).add(new Slot(env, qualifier));
            readiness.add(env.ready());
        }
        CompletableFuture.allOf(readiness.toArray(CompletableFuture[]::new))
                .orTimeout(snapshot.timeoutSeconds() + 30L, TimeUnit.SECONDS)
                .whenComplete((ok, failure) -> {
                    synchronized (service.lock) {
                        config.status = failure == null ? "READY" : "FAILED";
                        config.available = (int) readiness.stream().filter(f -> !f.isCompletedExceptionally()
                                && f.isDone()).count();
                        config.statusReason = failure == null ? null : "FUNCTION_ERROR_INIT_FAILURE: the runtime"
                                + " failed to initialise";
                        config.lastModified = LambdaApiServer.now();
                    }
                });
    }

    /** Ends the idle environments kept for an alias's provisioned concurrency. */
    void dropProvisioned(String name, String qualifier) {
        List<Slot> free = idle.getOrDefault(name, List.of());
        for (Slot s : List.copyOf(free)) {
            if (qualifier.equals(s.provisionedFor())) {
                free.remove(s);
                s.environment().close();
            }
        }
    }

    /** Ends idle environments whose code no version of the function runs any more. */
    void retire(FunctionRecord fn) {
        List<Slot> free = idle.getOrDefault(fn.name, List.of());
        for (Slot s : List.copyOf(free)) {
            CodeSnapshot snapshot = s.environment().snapshot();
            if (fn.latest != snapshot && !fn.versions.containsValue(snapshot)) {
                free.remove(s);
                s.environment().close();
            }
        }
    }

    void removeAll(String name) {
        List<Slot> free = idle.remove(name);
        if (free != null) {
            free.forEach(s -> s.environment().close());
        }
    }

    int started(String name) {
        synchronized (service.lock) {
            return started.getOrDefault(name, 0);
        }
    }

    void recycle(String name) {
        synchronized (service.lock) {
            List<Slot> free = idle.getOrDefault(name, List.of());
            for (Slot s : List.copyOf(free)) {
                if (s.provisionedFor() == null) {
                    free.remove(s);
                    s.environment().close();
                }
            }
        }
    }

    List<EventOutcome> eventOutcomes() {
        return List.copyOf(events);
    }

    void close() {
        eventQueue.shutdownNow();
        all.forEach(ExecutionEnvironment::close);
    }

    private static byte[] tail(String log) {
        byte[] bytes = log.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= LOG_TAIL_BYTES) {
            return bytes;
        }
        byte[] last = new byte[LOG_TAIL_BYTES];
        System.arraycopy(bytes, bytes.length - LOG_TAIL_BYTES, last, 0, LOG_TAIL_BYTES);
        return last;
    }

    private static String header(HttpExchange exchange, String name, String fallback) {
        String value = exchange.getRequestHeaders().getFirst(name);
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
