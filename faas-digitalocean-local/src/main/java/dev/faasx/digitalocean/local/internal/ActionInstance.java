package dev.faasx.digitalocean.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One instance of an action: a launcher process, like one OpenWhisk container, that is initialised once and then
 * runs one activation at a time for as long as it stays warm. stdout lines that start with the instance's nonce are
 * the launcher's answers; every other line on stdout or stderr is the action's log, stamped as OpenWhisk stamps
 * it ({@code <time> stdout: <line>}).
 */
final class ActionInstance implements AutoCloseable {
    static final String SENTINEL = "XXX_THE_END_OF_A_WHISK_ACTIVATION_XXX";
    private static final Object EOF = new Object();
    /** How long the logs of a finished activation may trail its answer. */
    private static final long LOG_DRAIN_MS = 2000;

    private final Process process;
    private final Path dir;
    private final long revision;
    private final String nonce;
    private final ObjectMapper json;
    private final OutputStream requests;
    private final BlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final Semaphore stderrDone = new Semaphore(0);
    private final Object logLock = new Object();
    private LogSink sink;
    private volatile long idleSinceNanos = System.nanoTime();

    /** What one init or run came to. */
    enum Kind { OK, FAILED, TIMEOUT, EXITED }

    record Outcome(Kind kind, JsonNode result, String error) {
    }

    private ActionInstance(Process process, Path dir, long revision, String nonce, ObjectMapper json) {
        this.process = process;
        this.dir = dir;
        this.revision = revision;
        this.nonce = nonce;
        this.json = json;
        this.requests = process.getOutputStream();
        reader(process.getInputStream(), "stdout", true).start();
        reader(process.getErrorStream(), "stderr", false).start();
    }

    /** Starts a launcher in {@code dir} with a clean environment: PATH, HOME, LANG and the protocol nonce. */
    static ActionInstance start(List<String> command, Path dir, long revision, String nonce, ObjectMapper json)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        String path = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.clear();
        env.put("PATH", path);
        env.put("HOME", dir.toString());
        env.put("LANG", "C.UTF-8");
        env.put("PYTHONDONTWRITEBYTECODE", "1");
        env.put("FAASX_OW_NONCE", nonce);
        return new ActionInstance(pb.start(), dir, revision, nonce, json);
    }

    long revision() {
        return revision;
    }

    long idleNanos() {
        return System.nanoTime() - idleSinceNanos;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Loads the action: sets its environment, imports its entry file and finds its main function. */
    Outcome init(Path entry, String main, Map<String, String> env, long timeoutMs, LogSink logs) {
        ObjectNode request = json.createObjectNode();
        request.put("op", "init");
        request.put("entry", entry.toString());
        request.put("main", main == null ? "main" : main);
        ObjectNode e = request.putObject("env");
        env.forEach(e::put);
        return exchange(request, timeoutMs, logs);
    }

    /** Runs one activation with {@code value} as the action's argument and {@code env} as its {@code __OW_} vars. */
    Outcome run(ObjectNode value, Map<String, String> env, long timeoutMs, LogSink logs) {
        ObjectNode request = json.createObjectNode();
        request.put("op", "run");
        request.set("value", value);
        ObjectNode e = request.putObject("env");
        env.forEach(e::put);
        Outcome outcome = exchange(request, timeoutMs, logs);
        idleSinceNanos = System.nanoTime();
        return outcome;
    }

    private Outcome exchange(ObjectNode request, long timeoutMs, LogSink logs) {
        synchronized (logLock) {
            sink = logs;
        }
        try {
            try {
                requests.write(json.writeValueAsBytes(request));
                requests.write('\n');
                requests.flush();
            } catch (IOException e) {
                return new Outcome(Kind.EXITED, null, null);
            }
            Object answer;
            try {
                answer = answers.poll(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                return new Outcome(Kind.EXITED, null, null);
            }
            if (answer == null) {
                close();
                return new Outcome(Kind.TIMEOUT, null, null);
            }
            if (answer == EOF) {
                awaitExit();
                return new Outcome(Kind.EXITED, null, null);
            }
            stderrDone.tryAcquire(LOG_DRAIN_MS, TimeUnit.MILLISECONDS);
            JsonNode a = (JsonNode) answer;
            return a.path("ok").asBoolean(false) ? new Outcome(Kind.OK, a.get("result"), null)
                    : new Outcome(Kind.FAILED, null, a.path("error").asText("the action failed"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(Kind.EXITED, null, null);
        } finally {
            synchronized (logLock) {
                sink = null;
            }
        }
    }

    private void awaitExit() throws InterruptedException {
        process.waitFor(LOG_DRAIN_MS, TimeUnit.MILLISECONDS);
        stderrDone.tryAcquire(LOG_DRAIN_MS, TimeUnit.MILLISECONDS);
    }

    private Thread reader(InputStream in, String stream, boolean protocol) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (protocol && line.startsWith(nonce)) {
                        answers.add(answerOf(line.substring(nonce.length())));
                    } else if (!protocol && line.equals(SENTINEL)) {
                        stderrDone.release();
                    } else {
                        log(stream, line);
                    }
                }
            } catch (IOException e) {
                // the process ended: the EOF below says so
            } finally {
                if (protocol) {
                    answers.add(EOF);
                } else {
                    stderrDone.release();
                }
            }
        }, "faasx-do-local-" + stream);
        t.setDaemon(true);
        return t;
    }

    private Object answerOf(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return json.createObjectNode().put("ok", false).put("error",
                    "The action did not produce a valid JSON response: " + e.getMessage());
        }
    }

    private void log(String stream, String line) {
        synchronized (logLock) {
            if (sink != null) {
                sink.add(Instant.now() + " " + stream + ": " + line);
            }
        }
    }

    /** Ends the launcher and everything it started, and removes the instance's directory. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }
}
