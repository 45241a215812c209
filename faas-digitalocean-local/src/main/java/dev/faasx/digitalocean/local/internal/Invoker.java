package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs activations on action instances: a warm idle instance of the action's current revision when there is one
 * (a warm start), otherwise a new instance that is initialised first (a cold start, whose init time the activation
 * record reports). Instances idle longer than the keep-warm time, or of a revision that was replaced or deleted,
 * are ended. Thread-safe.
 */
final class Invoker implements AutoCloseable {
    /** OpenWhisk's response status codes and words. */
    enum Status {
        SUCCESS(0, "success"), APPLICATION_ERROR(1, "application error"),
        DEVELOPER_ERROR(2, "action developer error"), WHISK_ERROR(3, "whisk internal error");

        final int code;
        final String word;

        Status(int code, String word) {
            this.code = code;
            this.word = word;
        }
    }

    /** One activation to run. */
    record Request(ActionRecord action, ObjectNode args, String activationId, String transactionId,
                   long receivedMillis, long receivedNanos, String apiHost, String apiKey) {
    }

    private final Runtimes runtimes;
    private final Path workDir;
    private final ObjectMapper json;
    private final Ids ids;
    private final long resultLimitBytes;
    private final Duration keepWarm;
    private final Map<Long, Deque<ActionInstance>> idle = new HashMap<>();
    private final ExecutorService runners;
    private final ScheduledExecutorService reaper;
    private final AtomicInteger instanceCounter = new AtomicInteger();
    private volatile boolean closed;

    Invoker(Runtimes runtimes, Path workDir, ObjectMapper json, Ids ids, long resultLimitBytes, Duration keepWarm) {
        this.runtimes = runtimes;
        this.workDir = workDir;
        this.json = json;
        this.ids = ids;
        this.resultLimitBytes = resultLimitBytes;
        this.keepWarm = keepWarm;
        this.runners = Executors.newCachedThreadPool(daemon("faasx-do-local-activation"));
        this.reaper = Executors.newSingleThreadScheduledExecutor(daemon("faasx-do-local-reaper"));
        reaper.scheduleWithFixedDelay(this::reap, 1, 1, TimeUnit.SECONDS);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs the activation on its own thread; the future completes with the activation record. */
    CompletableFuture<ObjectNode> start(Request request) {
        return CompletableFuture.supplyAsync(() -> run(request), runners);
    }

    /** Ends the idle instances of the given revisions of an action (replaced or deleted). */
    void retire(long... revisions) {
        List<ActionInstance> ending = new ArrayList<>();
        synchronized (idle) {
            for (long r : revisions) {
                Deque<ActionInstance> q = idle.remove(r);
                if (q != null) {
                    ending.addAll(q);
                }
            }
        }
        ending.forEach(ActionInstance::close);
    }

    /** How many instances are idle and warm, over all actions. */
    int idleInstances() {
        synchronized (idle) {
            return idle.values().stream().mapToInt(Deque::size).sum();
        }
    }

    private ObjectNode run(Request req) {
        ActionRecord action = req.action();
        LogSink logs = new LogSink(action.limits().logsMb() * 1024L * 1024L);
        Runtimes.Launch launch = runtimes.launch(action.kind());
        if (!launch.available()) {
            long now = System.currentTimeMillis();
            return record(req, now, now, null, Status.WHISK_ERROR, error(launch.unavailable()), false, logs);
        }
        ActionInstance instance = takeIdle(action.revision());
        Long initMs = null;
        long startMillis = System.currentTimeMillis();
        long startNanos = System.nanoTime();
        long waitMs = (startNanos - req.receivedNanos()) / 1_000_000;
        if (instance == null) {
            Path dir = workDir.resolve("instance-" + instanceCounter.incrementAndGet());
            Path entry;
            try {
                entry = CodeDirectory.prepare(action, launch.defaultEntry(), dir);
                instance = ActionInstance.start(launch.command(), dir, action.revision(), ids.alphanumeric(24),
                        json);
            } catch (IOException e) {
                deleteQuietly(dir);
                return record(req, startMillis, System.currentTimeMillis(), null, Status.DEVELOPER_ERROR,
                        error("The action failed during initialization: " + e.getMessage()), false, logs, waitMs);
            }
            ActionInstance.Outcome init = instance.init(entry, action.main(), action.initEnv(),
                    action.limits().timeoutMs(), logs);
            initMs = (System.nanoTime() - startNanos) / 1_000_000;
            if (init.kind() != ActionInstance.Kind.OK) {
                instance.close();
                String message = switch (init.kind()) {
                    case TIMEOUT -> OwErrors.timedOut(action.limits().timeoutMs(), true);
                    case EXITED -> OwErrors.ABNORMAL_INIT;
                    default -> init.error();
                };
                return record(req, startMillis, System.currentTimeMillis(), initMs, Status.DEVELOPER_ERROR,
                        error(message), init.kind() == ActionInstance.Kind.TIMEOUT, logs, waitMs);
            }
        }
        ActionInstance.Outcome outcome = instance.run(req.args(), owEnv(req), action.limits().timeoutMs(), logs);
        long end = System.currentTimeMillis();
        switch (outcome.kind()) {
            case OK -> {
                release(instance);
                JsonNode result = outcome.result();
                long size = result.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (size > resultLimitBytes) {
                    return record(req, startMillis, end, initMs, Status.APPLICATION_ERROR,
                            error(OwErrors.truncatedResponse(size, resultLimitBytes)), false, logs, waitMs);
                }
                Status status = result.has("error") ? Status.APPLICATION_ERROR : Status.SUCCESS;
                return record(req, startMillis, end, initMs, status, result, false, logs, waitMs);
            }
            case FAILED -> {
                release(instance);
                return record(req, startMillis, end, initMs, Status.DEVELOPER_ERROR, error(outcome.error()), false,
                        logs, waitMs);
            }
            case TIMEOUT -> {
                return record(req, startMillis, end, initMs, Status.DEVELOPER_ERROR,
                        error(OwErrors.timedOut(action.limits().timeoutMs(), false)), true, logs, waitMs);
            }
            default -> {
                instance.close();
                return record(req, startMillis, end, initMs, Status.DEVELOPER_ERROR, error(OwErrors.ABNORMAL_RUN),
                        false, logs, waitMs);
            }
        }
    }

    private Map<String, String> owEnv(Request req) {
        ActionRecord a = req.action();
        Map<String, String> env = new HashMap<>();
        env.put("__OW_API_HOST", req.apiHost());
        env.put("__OW_NAMESPACE", a.namespace());
        env.put("__OW_ACTION_NAME", "/" + a.namespace() + "/" + a.name());
        env.put("__OW_ACTION_VERSION", a.version());
        env.put("__OW_ACTIVATION_ID", req.activationId());
        env.put("__OW_TRANSACTION_ID", req.transactionId());
        env.put("__OW_DEADLINE", Long.toString(System.currentTimeMillis() + a.limits().timeoutMs()));
        for (JsonNode n : a.annotations()) {
            if ("provide-api-key".equals(n.path("key").asText()) && n.path("value").asBoolean(false)) {
                env.put("__OW_API_KEY", req.apiKey());
            }
        }
        return env;
    }

    private ObjectNode error(String message) {
        return json.createObjectNode().put("error", message);
    }

    private ObjectNode record(Request req, long start, long end, Long initMs, Status status, JsonNode result,
                              boolean timedOut, LogSink logs) {
        return record(req, start, end, initMs, status, result, timedOut, logs,
                (System.nanoTime() - req.receivedNanos()) / 1_000_000);
    }

    private ObjectNode record(Request req, long start, long end, Long initMs, Status status, JsonNode result,
                              boolean timedOut, LogSink logs, long waitMs) {
        ActionRecord a = req.action();
        ObjectNode r = json.createObjectNode();
        r.put("namespace", a.namespace());
        r.put("name", a.name());
        r.put("version", a.version());
        r.put("subject", a.namespace());
        r.put("activationId", req.activationId());
        r.put("start", start);
        r.put("end", end);
        r.put("duration", Math.max(0, end - start));
        r.put("statusCode", status.code);
        ObjectNode response = r.putObject("response");
        response.put("status", status.word);
        response.put("statusCode", status.code);
        response.put("success", status == Status.SUCCESS);
        response.set("result", result);
        response.put("size", result.toString().length());
        ArrayNode logLines = r.putArray("logs");
        logs.lines().forEach(logLines::add);
        ArrayNode ann = r.putArray("annotations");
        ann.addObject().put("key", "path").put("value", a.namespace() + "/" + a.name());
        ann.addObject().put("key", "waitTime").put("value", Math.max(0, waitMs));
        ann.addObject().put("key", "kind").put("value", a.kind());
        ann.addObject().put("key", "timeout").put("value", timedOut);
        ann.addObject().put("key", "limits").set("value", a.limits().toJson(json));
        if (initMs != null) {
            ann.addObject().put("key", "initTime").put("value", initMs);
        }
        r.put("publish", false);
        return r;
    }

    private ActionInstance takeIdle(long revision) {
        while (true) {
            ActionInstance candidate;
            synchronized (idle) {
                Deque<ActionInstance> q = idle.get(revision);
                candidate = q == null ? null : q.pollLast();
            }
            if (candidate == null || candidate.isAlive()) {
                return candidate;
            }
            candidate.close();
        }
    }

    private void release(ActionInstance instance) {
        if (!closed && instance.isAlive()) {
            synchronized (idle) {
                if (!closed) {
                    idle.computeIfAbsent(instance.revision(), r -> new ArrayDeque<>()).addLast(instance);
                    return;
                }
            }
        }
        instance.close();
    }

    private void reap() {
        List<ActionInstance> ending = new ArrayList<>();
        synchronized (idle) {
            for (Deque<ActionInstance> q : idle.values()) {
                q.removeIf(i -> {
                    if (i.idleNanos() > keepWarm.toNanos() || !i.isAlive()) {
                        ending.add(i);
                        return true;
                    }
                    return false;
                });
            }
            idle.values().removeIf(Deque::isEmpty);
        }
        ending.forEach(ActionInstance::close);
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // nothing was created, or a leftover temporary directory: harmless
        }
    }

    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        List<ActionInstance> ending = new ArrayList<>();
        synchronized (idle) {
            idle.values().forEach(ending::addAll);
            idle.clear();
        }
        ending.forEach(ActionInstance::close);
        runners.shutdownNow();
    }
}
