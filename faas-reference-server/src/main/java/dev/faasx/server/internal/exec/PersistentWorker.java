package dev.faasx.server.internal.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.function.FunctionHost;
import dev.faasx.core.spec.WorkerMode;
import dev.faasx.server.internal.store.StoredFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived worker process speaking the persistent-worker protocol: started with
 * {@code FAASX_WORKER_MODE=persistent}, it prints {@link FunctionHost#READY_LINE} on a line of its own,
 * then answers each request line with one response line, in order. The server sends one request at a time.
 *
 * <p>A worker that times out, answers too much, or breaks the protocol is killed and never reused. Its peak memory
 * is read from the kernel after each answer, while it is alive; this is the peak of the worker's whole life, as a
 * platform reports "max memory used" for a reused instance.
 *
 * <p>Not thread-safe: one call at a time, which the pool guarantees.
 */
final class PersistentWorker {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int READY_LINE_MAX = 4096;
    private static final int MESSAGE_CHARS = 1000;

    private final Spawned process;
    private final LineReader stdout;
    private final OutputStream stdin;
    private final Duration startDuration;
    private final PeakMemory memory;
    private volatile Run current;
    private volatile boolean broken;
    private volatile Execution.Outcome abortedFor;
    private final java.util.concurrent.atomic.AtomicBoolean idlePlace = new java.util.concurrent.atomic.AtomicBoolean();

    private PersistentWorker(Spawned process, LineReader stdout, Duration startDuration) {
        this.process = process;
        this.stdout = stdout;
        this.stdin = process.stdin();
        this.startDuration = startDuration;
        this.memory = process.hasGroup() ? null : PeakMemory.of(process.process().toHandle());
    }

    /** A failure to bring a worker up; the message says why, with the end of its stderr. */
    static final class StartException extends Exception {
        private static final long serialVersionUID = 1L;

        StartException(String message) {
            super(message, null, false, false);
        }
    }

    /** Starts a worker and waits for its ready line. */
    static PersistentWorker start(StoredFunction function, ExecServices services) throws StartException {
        Spawned process;
        try {
            process = services.spawner().spawn(function, WorkerMode.PERSISTENT);
        } catch (IOException e) {
            throw new StartException("cannot start bootstrap of function " + function.id() + ": " + e.getMessage());
        }
        process.stderr().drain(services.background());
        Run startup = new Run(process);
        Duration limit = services.limits().workerStartTimeout();
        ScheduledFuture<?> timer = services.schedule(() -> startup.kill(Execution.Outcome.TIMED_OUT),
                limit.toNanos());
        LineReader stdout = new LineReader(process.stdout());
        byte[] line;
        try {
            line = stdout.readLine(READY_LINE_MAX);
        } catch (IOException e) {
            line = null;
        } finally {
            timer.cancel(false);
        }
        if (line != null && isReadyLine(line)) {
            return new PersistentWorker(process, stdout, Duration.ofNanos(System.nanoTime() - process.startedNanos()));
        }
        process.kill();
        String problem = startup.killedFor() == Execution.Outcome.TIMED_OUT
                ? "did not print its ready line within " + limit.toMillis() + " ms"
                : line == null ? "exited with status " + exitStatus(process) + " before it was ready"
                : "wrote '" + printable(line) + "' instead of the ready line " + FunctionHost.READY_LINE;
        process.stderr().awaitEnd(100);
        String stderr = process.stderr().text(MESSAGE_CHARS);
        throw new StartException("persistent worker of function " + function.id() + " " + problem
                + (stderr.isEmpty() ? "" : ": " + stderr));
    }

    static boolean isReadyLine(byte[] line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && "ready".equals(node.path("faasx_worker").asText(null))
                    && node.path("protocol").asInt(0) == 1;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends one request and waits for its answer line, killing the worker when {@code timeoutNanos} pass. */
    Execution call(byte[] request, long timeoutNanos, long maxOutputBytes, ExecServices services, boolean cold) {
        Run run = new Run(process);
        current = run;
        long begin = System.nanoTime();
        ScheduledFuture<?> timer = services.schedule(() -> run.kill(Execution.Outcome.TIMED_OUT), timeoutNanos);
        byte[] line;
        try {
            try {
                stdin.write(request);
                stdin.write('\n');
                stdin.flush();
            } catch (IOException e) {
                // The worker is gone: reading finds the end of its output.
            }
            line = stdout.readLine(maxOutputBytes);
        } catch (LineReader.LineTooLongException e) {
            run.kill(Execution.Outcome.OUTPUT_TOO_LARGE);
            line = null;
        } catch (IOException e) {
            line = null;
        } finally {
            timer.cancel(false);
            current = null;
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - begin);
        Optional<Duration> init = cold ? Optional.of(startDuration) : Optional.empty();
        if (line != null && run.killedFor() == null && process.outOfMemory()) {
            // A process of the instance was killed for memory: the instance is not trusted with another call.
            run.kill(Execution.Outcome.OUT_OF_MEMORY);
            line = null;
        }
        if (line != null && run.killedFor() == null) {
            return new Execution(Execution.Outcome.COMPLETED, line, OptionalInt.empty(), duration, peakMemoryMb(),
                    cold, init, "");
        }
        broken = true;
        process.kill();
        int exit = exitStatus(process);
        process.stderr().awaitEnd(100);
        Execution.Outcome outcome = run.killedFor() != null ? run.killedFor()
                : abortedFor != null ? abortedFor
                : process.outOfMemory() ? Execution.Outcome.OUT_OF_MEMORY : Execution.Outcome.CRASHED;
        return new Execution(outcome, new byte[0], exit < 0 ? OptionalInt.empty() : OptionalInt.of(exit), duration,
                process.peakMemoryMb(), cold, init, process.stderr().text(MESSAGE_CHARS));
    }

    /** The worker's peak memory: its cgroup's when it has one, else the kernel's per-process high-water marks. */
    private OptionalLong peakMemoryMb() {
        return memory == null ? process.peakMemoryMb() : memory.peakMb();
    }

    /** Marks the worker as holding one of the server's idle places (a worker kept after its deployment). */
    void holdIdlePlace() {
        idlePlace.set(true);
    }

    /** Gives the idle place back; true when the worker held one. */
    boolean releaseIdlePlace() {
        return idlePlace.getAndSet(false);
    }

    /** Whether the worker can take another request. */
    boolean isUsable() {
        return !broken && process.isAlive();
    }

    /** Kills a call in progress (or the idle worker) for {@code reason}. */
    void abort(Execution.Outcome reason) {
        abortedFor = reason;
        broken = true;
        Run run = current;
        if (run != null) {
            run.kill(reason);
        } else {
            process.kill();
        }
    }

    /** Asks the worker to stop by closing its stdin, then kills it if it is still there after {@code graceMillis}. */
    void stop(ExecServices services, long graceMillis) {
        broken = true;
        try {
            stdin.close();
        } catch (IOException e) {
            // Already gone.
        }
        if (memory != null) {
            memory.close();
        }
        services.schedule(() -> {
            if (process.isAlive()) {
                process.kill();
            }
        }, TimeUnit.MILLISECONDS.toNanos(graceMillis));
    }

    Duration startDuration() {
        return startDuration;
    }

    private static int exitStatus(Spawned process) {
        try {
            return process.process().waitFor(200, TimeUnit.MILLISECONDS) ? process.process().exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String printable(byte[] line) {
        String s = new String(line, StandardCharsets.UTF_8);
        s = s.length() > 100 ? s.substring(0, 100) + "..." : s;
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 ? '?' : c));
        return out.toString();
    }
}
