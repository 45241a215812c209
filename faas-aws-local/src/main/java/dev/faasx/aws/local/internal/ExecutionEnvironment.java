package dev.faasx.aws.local.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Lambda execution environment: a real child process (the package's {@code bootstrap}, or a JVM running the JAR's
 * handler for the managed Java runtimes) and the Lambda Runtime API it talks to, on its own port. Invocations are
 * handed out through {@code GET /runtime/invocation/next} one at a time; the time until the process first asks for
 * an event is its init duration, the time from handing out an event to its answer the invocation's duration, and
 * the process tree's peak resident memory its max memory used. All figures are measured, never made up.
 */
final class ExecutionEnvironment implements AutoCloseable {
    private static final String API = "/2018-06-01/runtime";
    private static final int MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
    private static final int MAX_LOG_CHARS = 64 * 1024;

    /** What one invocation produced. */
    record Result(byte[] payload, String functionError, String log, boolean environmentLost) {
    }

    private record Event(String requestId, byte[] payload, long deadlineEpochMs) {
    }

    private record Outcome(byte[] payload, String functionError) {
    }

    private final String functionName;
    private final String functionArn;
    private final CodeSnapshot snapshot;
    private final boolean provisioned;
    private final Duration initTimeout;
    private final Path taskRoot;
    private final HttpServer runtimeApi;
    private final Process process;
    private final long startNanos;
    private final CompletableFuture<Long> ready = new CompletableFuture<>();
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>(1);
    private final StringBuilder log = new StringBuilder();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean removed = new AtomicBoolean();
    private volatile CompletableFuture<Outcome> current;
    private volatile String currentRequestId;
    private volatile long eventStartNanos;
    private volatile byte[] initError;
    private volatile boolean initReported;

    ExecutionEnvironment(String functionName, String functionArn, CodeSnapshot snapshot, boolean provisioned,
                         CodeStore code, ExecutorService httpThreads, Duration initTimeout) throws IOException {
        this.functionName = functionName;
        this.initTimeout = initTimeout;
        this.functionArn = functionArn;
        this.snapshot = snapshot;
        this.provisioned = provisioned;
        this.taskRoot = code.taskRoot(snapshot);
        this.runtimeApi = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        runtimeApi.createContext(API, this::handle);
        runtimeApi.setExecutor(httpThreads);
        runtimeApi.start();
        Process started;
        ProcessBuilder launch = processBuilder(code);
        // Init is timed from the start of the runtime process, as Lambda times it.
        this.startNanos = System.nanoTime();
        try {
            started = launch.start();
        } catch (IOException e) {
            runtimeApi.stop(0);
            initError = errorJson("Runtime.InvalidEntrypoint", "cannot start the runtime: " + e.getMessage());
            ready.completeExceptionally(e);
            this.process = null;
            return;
        }
        this.process = started;
        Thread reader = new Thread(this::readOutput, "local-lambda-log-" + functionName);
        reader.setDaemon(true);
        reader.start();
        process.onExit().thenRun(this::exited);
    }

    CodeSnapshot snapshot() {
        return snapshot;
    }

    boolean alive() {
        return !closed.get() && process != null && process.isAlive() && initError == null;
    }

    /** Completes when the runtime has initialised (first asked for an event), with the init duration in nanos. */
    CompletableFuture<Long> ready() {
        return ready;
    }

    /** Runs one invocation to its end. Blocking; one at a time per environment. */
    Result invoke(String requestId, byte[] payload, String version) {
        boolean cold = !initReported;
        initReported = true;
        long timeoutMs = snapshot.timeoutSeconds() * 1000L;
        StringBuilder invocationLog = new StringBuilder();
        Long initNanos = null;
        try {
            initNanos = awaitInit(timeoutMs);
        } catch (Exception e) {
            boolean slow = e instanceof TimeoutException;
            close();
            byte[] error = initError != null ? initError : slow
                    ? errorJson("Sandbox.Timedout", "RequestId: " + requestId + " Error: Task timed out after "
                    + String.format(Locale.ROOT, "%.2f", timeoutMs / 1000d) + " seconds (the runtime did not"
                    + " finish its init within the " + initTimeout.toSeconds() + " s init limit nor the function's"
                    + " timeout)")
                    : errorJson("Runtime.ExitError", "RequestId: " + requestId
                    + " Error: Runtime exited before it was ready" + exitSuffix());
            invocationLog.append(drainLog());
            return finish(requestId, version, invocationLog, new Outcome(error, "Unhandled"), 0, null, true);
        }
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        current = outcome;
        currentRequestId = requestId;
        invocationLog.append(drainLog());
        long deadline = System.currentTimeMillis() + timeoutMs;
        long start = System.nanoTime();
        events.add(new Event(requestId, payload, deadline));
        Outcome result;
        boolean lost = false;
        try {
            result = outcome.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            close();
            lost = true;
            result = new Outcome(errorJson("Sandbox.Timedout", "RequestId: " + requestId
                    + " Error: Task timed out after " + String.format(Locale.ROOT, "%.2f", timeoutMs / 1000d)
                    + " seconds"), "Unhandled");
        } catch (Exception e) {
            close();
            lost = true;
            result = new Outcome(errorJson("Runtime.ExitError", "RequestId: " + requestId
                    + " Error: Runtime exited with error" + exitSuffix()), "Unhandled");
        } finally {
            current = null;
            currentRequestId = null;
        }
        long started = eventStartNanos > 0 ? Math.max(eventStartNanos, start) : start;
        long duration = System.nanoTime() - started;
        invocationLog.append(drainLog());
        return finish(requestId, version, invocationLog, result, duration,
                cold && !provisioned ? initNanos : null, lost || !alive());
    }

    /**
     * Waits for the runtime's init: up to the init limit, and then, as Lambda re-runs an init that ran out of time as
     * part of the first invocation, up to the function's timeout more.
     */
    private long awaitInit(long timeoutMs) throws Exception {
        try {
            return ready.get(initTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException beyondInitLimit) {
            return ready.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private Result finish(String requestId, String version, StringBuilder lines, Outcome outcome, long durationNanos,
                          Long initNanos, boolean lost) {
        double ms = durationNanos / 1_000_000d;
        long billed = Math.max(1, (long) Math.ceil(ms + (initNanos == null ? 0 : initNanos / 1_000_000d)));
        long maxMemory = maxMemoryUsedMb();
        String text = "JSON".equals(snapshot.logFormat())
                ? jsonLog(requestId, version, lines, outcome, ms, billed, maxMemory, initNanos)
                : textLog(requestId, version, lines, ms, billed, maxMemory, initNanos);
        return new Result(outcome.payload(), outcome.functionError(), text, lost);
    }

    /** The invocation's log in Lambda's text format: START, the function's lines, END and the REPORT line. */
    private String textLog(String requestId, String version, StringBuilder lines, double ms, long billed,
                           long maxMemory, Long initNanos) {
        StringBuilder text = new StringBuilder();
        text.append("START RequestId: ").append(requestId).append(" Version: ").append(version).append('\n');
        text.append(lines);
        text.append("END RequestId: ").append(requestId).append('\n');
        text.append("REPORT RequestId: ").append(requestId)
                .append("\tDuration: ").append(String.format(Locale.ROOT, "%.2f", ms)).append(" ms")
                .append("\tBilled Duration: ").append(billed).append(" ms")
                .append("\tMemory Size: ").append(snapshot.memoryMb()).append(" MB")
                .append("\tMax Memory Used: ").append(maxMemory).append(" MB");
        if (initNanos != null) {
            text.append("\tInit Duration: ").append(String.format(Locale.ROOT, "%.2f", initNanos / 1_000_000d))
                    .append(" ms");
        }
        text.append("\t\n");
        return text.toString();
    }

    /**
     * The invocation's log in Lambda's JSON format: one JSON object per line, {@code platform.start}, the function's
     * lines (the runtime writes JSON itself when told {@code AWS_LAMBDA_LOG_FORMAT=JSON}), {@code platform.runtimeDone}
     * and {@code platform.report} with the same figures as the text REPORT line.
     */
    private String jsonLog(String requestId, String version, StringBuilder lines, Outcome outcome, double ms,
                           long billed, long maxMemory, Long initNanos) {
        String time = java.time.Instant.now().toString();
        ObjectNode start = ApiJson.object();
        start.put("time", time);
        start.put("type", "platform.start");
        start.putObject("record").put("requestId", requestId).put("version", version);
        ObjectNode done = ApiJson.object();
        done.put("time", time);
        done.put("type", "platform.runtimeDone");
        done.putObject("record").put("requestId", requestId)
                .put("status", outcome.functionError() == null ? "success" : "failure");
        ObjectNode report = ApiJson.object();
        report.put("time", time);
        report.put("type", "platform.report");
        ObjectNode record = report.putObject("record");
        record.put("requestId", requestId);
        ObjectNode metrics = record.putObject("metrics");
        metrics.put("durationMs", Math.round(ms * 100) / 100d);
        metrics.put("billedDurationMs", billed);
        metrics.put("memorySizeMB", snapshot.memoryMb());
        metrics.put("maxMemoryUsedMB", maxMemory);
        if (initNanos != null) {
            metrics.put("initDurationMs", Math.round(initNanos / 10_000d) / 100d);
        }
        record.put("status", outcome.functionError() == null ? "success" : "failure");
        return new String(ApiJson.bytes(start), StandardCharsets.UTF_8) + "\n" + lines
                + new String(ApiJson.bytes(done), StandardCharsets.UTF_8) + "\n"
                + new String(ApiJson.bytes(report), StandardCharsets.UTF_8) + "\n";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(API.length());
            String method = exchange.getRequestMethod();
            if (method.equals("GET") && path.equals("/invocation/next")) {
                next(exchange);
            } else if (method.equals("POST") && path.equals("/init/error")) {
                initError = readLimited(exchange.getRequestBody(), 1024 * 1024);
                ready.completeExceptionally(new IllegalStateException("init error"));
                reply(exchange, 202, "{\"status\":\"OK\"}");
            } else if (method.equals("POST") && path.startsWith("/invocation/") && path.endsWith("/response")) {
                String id = path.substring("/invocation/".length(), path.length() - "/response".length());
                byte[] body = readLimited(exchange.getRequestBody(), MAX_RESPONSE_BYTES + 1);
                if (body.length > MAX_RESPONSE_BYTES) {
                    answer(id, new Outcome(errorJson("Function.ResponseSizeTooLarge", "Response payload size"
                            + " exceeded maximum allowed payload size (" + MAX_RESPONSE_BYTES + " bytes)."),
                            "Unhandled"), exchange, 413);
                    return;
                }
                answer(id, new Outcome(body, null), exchange, 202);
            } else if (method.equals("POST") && path.startsWith("/invocation/") && path.endsWith("/error")) {
                String id = path.substring("/invocation/".length(), path.length() - "/error".length());
                answer(id, new Outcome(readLimited(exchange.getRequestBody(), 1024 * 1024), "Unhandled"),
                        exchange, 202);
            } else {
                reply(exchange, 404, "{\"errorMessage\":\"unknown runtime API path\",\"errorType\":\"NotFound\"}");
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        ready.complete(System.nanoTime() - startNanos);
        Event event = null;
        while (event == null && !closed.get()) {
            try {
                event = events.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (event == null) {
            return;
        }
        eventStartNanos = System.nanoTime();
        exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", event.requestId());
        exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms", Long.toString(event.deadlineEpochMs()));
        exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn", functionArn);
        exchange.getResponseHeaders().add("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000");
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, event.payload().length == 0 ? -1 : event.payload().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(event.payload());
        }
    }

    private void answer(String id, Outcome outcome, HttpExchange exchange, int status) throws IOException {
        CompletableFuture<Outcome> waiting = current;
        if (waiting == null || !id.equals(currentRequestId)) {
            reply(exchange, 400, "{\"errorMessage\":\"Invalid request ID\",\"errorType\":\"InvalidRequestID\"}");
            return;
        }
        waiting.complete(outcome);
        reply(exchange, status, status == 202 ? "{\"status\":\"OK\"}"
                : "{\"errorMessage\":\"Exceeded maximum allowed payload size\",\"errorType\":\"RequestEntityTooLarge\"}");
    }

    private void exited() {
        CompletableFuture<Outcome> waiting = current;
        if (waiting != null) {
            waiting.complete(new Outcome(errorJson("Runtime.ExitError", "RequestId: " + currentRequestId
                    + " Error: Runtime exited with error" + exitSuffix()), "Unhandled"));
        }
        ready.completeExceptionally(new IllegalStateException("runtime exited"));
        closed.set(true);
        runtimeApi.stop(0);
    }

    private String exitSuffix() {
        return process != null && !process.isAlive() ? ": exit status " + process.exitValue() : "";
    }

    private ProcessBuilder processBuilder(CodeStore code) {
        Map<String, String> environment = environment();
        List<String> command = code.command(snapshot, environment);
        ProcessBuilder pb = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(environment);
        return pb;
    }

    /** The environment Lambda gives a runtime, plus the function's own variables. */
    private Map<String, String> environment() {
        String javaHome = System.getProperty("java.home");
        Map<String, String> env = new java.util.LinkedHashMap<>();
        env.put("PATH", Path.of(javaHome, "bin") + ":/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
        env.put("_HANDLER", snapshot.handler());
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.put("LAMBDA_RUNTIME_DIR", taskRoot.toString());
        env.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", snapshot.version());
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(snapshot.memoryMb()));
        env.put("AWS_LAMBDA_INITIALIZATION_TYPE", provisioned ? "provisioned-concurrency" : "on-demand");
        env.put("AWS_REGION", LambdaApiServer.REGION);
        env.put("AWS_DEFAULT_REGION", LambdaApiServer.REGION);
        env.put("AWS_EXECUTION_ENV", "AWS_Lambda_" + snapshot.runtime());
        env.put("AWS_LAMBDA_LOG_FORMAT", snapshot.logFormat());
        env.put("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + functionName);
        env.put("AWS_LAMBDA_LOG_STREAM_NAME", java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString()
                .replace('-', '/') + "/[" + snapshot.version() + "]" + java.util.UUID.randomUUID().toString()
                .replace("-", ""));
        env.putAll(snapshot.environment());
        return env;
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (log) {
                    log.append(line).append('\n');
                    if (log.length() > MAX_LOG_CHARS) {
                        log.delete(0, log.length() - MAX_LOG_CHARS);
                    }
                }
            }
        } catch (IOException ignored) {
            // The process is gone; whatever it wrote is in the log.
        }
    }

    private String drainLog() {
        synchronized (log) {
            String text = log.toString();
            log.setLength(0);
            return text;
        }
    }

    /** Peak resident memory of the runtime process and its children, from /proc (VmHWM), in MB. */
    private long maxMemoryUsedMb() {
        if (process == null) {
            return 0;
        }
        long kb = peakKb(process.pid());
        for (ProcessHandle child : process.descendants().toList()) {
            kb += peakKb(child.pid());
        }
        return (kb + 1023) / 1024;
    }

    private static long peakKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").strip());
                }
            }
        } catch (IOException | RuntimeException gone) {
            // The process ended between listing and reading.
        }
        return 0;
    }

    static byte[] errorJson(String type, String message) {
        return ("{\"errorType\":" + ApiJson.quote(type) + ",\"errorMessage\":" + ApiJson.quote(message) + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] readLimited(InputStream in, int limit) throws IOException {
        return in.readNBytes(limit);
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        closed.set(true);
        if (!removed.compareAndSet(false, true)) {
            return;
        }
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        runtimeApi.stop(0);
    }
}
