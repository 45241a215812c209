package dev.faasx.server.internal.exec;

import dev.faasx.core.spec.WorkerMode;
import dev.faasx.server.internal.store.StoredFunction;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spec v1 execution model: one {@code bootstrap} process per invocation, the request on stdin until EOF, the
 * answer on stdout until the process exits. To hide the cost of starting a process, the pool keeps a few processes
 * already started and blocked reading stdin; each serves exactly one request and is replaced in the background.
 * A call served by such a process is warm; a call that had to start its own process is cold, and its start time is
 * its init duration.
 *
 * <p>The function's timeout runs from the moment the request is handed over; when it passes, the whole process
 * tree is killed. Memory is not reported: the kernel drops a process's peak-memory figure when it exits, and the
 * figure read just before the exit would be a guess.
 *
 * <p>Thread-safe.
 */
public final class ProcessPool implements InstancePool {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessPool.class);
    private static final int MESSAGE_CHARS = 1000;
    /** A run still going after this long gets a thread draining its stderr; shorter runs need none. */
    private static final long STDERR_DRAIN_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final StoredFunction function;
    private final ExecServices services;
    private final long timeoutNanos;
    private final ConcurrentLinkedDeque<Spawned> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final AtomicInteger refilling = new AtomicInteger();
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private volatile int target;
    private volatile boolean closed;
    private volatile boolean aborted;
    private volatile String startFailure;

    public ProcessPool(StoredFunction function, ExecServices services, int prespawned) {
        this.function = function;
        this.services = services;
        this.timeoutNanos = function.config().timeout().toNanos();
        this.target = prespawned;
    }

    /** Starts the pre-spawned processes in the background. */
    public void start() {
        refill();
    }

    @Override
    public Execution execute(byte[] request, long queueDeadline) {
        Spawned process = takeIdle();
        boolean cold = process == null;
        if (cold) {
            try {
                process = spawn();
            } catch (IOException e) {
                return Execution.failedToStart(startFailure, true);
            }
        }
        if (cold) {
            refill();
        }
        // A warm call tops the pool up only once its answer is out: starting a process costs a few milliseconds of
        // CPU, which would otherwise compete with the call it is meant to hide.
        return run(process, request, cold);
    }

    private Execution run(Spawned process, byte[] request, boolean cold) {
        Run run = new Run(process);
        running.add(run);
        if (aborted) {
            run.kill(Execution.Outcome.ABORTED);
        }
        long begin = System.nanoTime();
        ScheduledFuture<?> timer = services.schedule(() -> run.kill(Execution.Outcome.TIMED_OUT), timeoutNanos);
        ScheduledFuture<?> drain = services.schedule(() -> process.stderr().drain(services.background()),
                STDERR_DRAIN_DELAY_NANOS);
        Runnable finish = () -> {
            timer.cancel(false);
            drain.cancel(false);
            running.remove(run);
        };
        Answer answer;
        try {
            try (OutputStream stdin = process.stdin()) {
                stdin.write(request);
            } catch (IOException e) {
                // The process stopped reading (or exited): what it wrote and its exit status tell the rest.
            }
            answer = readAnswer(process, services.limits().maxOutputBytes());
        } catch (IOException e) {
            answer = Answer.NONE;
        }
        Duration duration = Duration.ofNanos(System.nanoTime() - begin);
        Optional<Duration> init = cold ? Optional.of(process.spawnDuration()) : Optional.empty();
        if (answer.complete && run.killedFor() == null && process.outOfMemory()) {
            run.kill(Execution.Outcome.OUT_OF_MEMORY);
        }
        if (answer.complete && run.killedFor() == null) {
            // The answer is whole: it goes out now; the process is waited for (and its timers cancelled) after.
            return new Execution(Execution.Outcome.COMPLETED, answer.bytes, OptionalInt.empty(), duration,
                    process.peakMemoryMb(), cold, init, "", () -> {
                        refill();
                        waitQuietly(process, 0);
                        finish.run();
                    });
        }
        if (answer == Answer.TOO_LARGE) {
            run.kill(Execution.Outcome.OUTPUT_TOO_LARGE);
        }
        refill();
        int exit = waitQuietly(process, 0);
        finish.run();
        String stderr = finishStderr(process);
        Execution.Outcome outcome = run.killedFor() != null ? run.killedFor()
                : process.outOfMemory() ? Execution.Outcome.OUT_OF_MEMORY
                : answer.bytes.length > 0 ? Execution.Outcome.COMPLETED : Execution.Outcome.CRASHED;
        return new Execution(outcome, answer.bytes, exit < 0 ? OptionalInt.empty() : OptionalInt.of(exit),
                duration, process.peakMemoryMb(), cold, init, stderr);
    }

    /** What a process wrote on stdout: a whole JSON answer, everything until it closed stdout, or too much. */
    private static final class Answer {
        static final Answer NONE = new Answer(new byte[0], false);
        static final Answer TOO_LARGE = new Answer(new byte[0], false);

        final byte[] bytes;
        final boolean complete;

        Answer(byte[] bytes, boolean complete) {
            this.bytes = bytes;
            this.complete = complete;
        }
    }

    /**
     * Reads stdout until the JSON value the function writes is complete (so that the answer does not wait for the
     * process to exit), or until the end of the stream when it is not an object.
     */
    private static Answer readAnswer(Spawned process, long max) throws IOException {
        JsonValueEnd end = new JsonValueEnd();
        byte[] buffer = new byte[1024];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(max + 1, (long) buffer.length * 2));
                if (length == buffer.length) {
                    return Answer.TOO_LARGE;
                }
            }
            int n = process.stdout().read(buffer, length, buffer.length - length);
            if (n < 0) {
                return new Answer(Arrays.copyOf(buffer, length), false);
            }
            int stop = end.scan(buffer, length, length + n);
            length += n;
            if (stop >= 0) {
                return new Answer(Arrays.copyOf(buffer, stop), true);
            }
            if (length > max) {
                return Answer.TOO_LARGE;
            }
        }
    }

    /** The end of stderr; descendants that outlived the process and keep the pipe open are killed. */
    private String finishStderr(Spawned process) {
        process.stderr().readExited();
        if (!process.stderr().awaitEnd(0)) {
            services.background().execute(() -> ProcessTree.killHolders(Optional.empty(), process.stderrPipe()));
            process.stderr().awaitEnd(50);
        }
        return process.stderr().text(MESSAGE_CHARS);
    }

    private Spawned takeIdle() {
        Spawned process;
        while ((process = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            services.releaseIdlePlace();
            if (process.isAlive()) {
                return process;
            }
            noteEarlyExit(process);
        }
        return null;
    }

    private Spawned spawn() throws IOException {
        try {
            return services.spawner().spawn(function, WorkerMode.PROCESS);
        } catch (IOException e) {
            startFailure = "cannot start bootstrap of function " + function.id() + ": " + e.getMessage();
            throw e;
        }
    }

    private void noteEarlyExit(Spawned process) {
        process.stderr().readExited();
        String stderr = process.stderr().text(MESSAGE_CHARS);
        startFailure = "bootstrap exited with status " + waitQuietly(process, 1) + " before it received a request"
                + (stderr.isEmpty() ? "" : ": " + stderr);
        LOG.warn("function {}: {}", function.id(), startFailure);
    }

    /** Tops the idle processes up to the target, in the background. */
    private void refill() {
        while (!closed) {
            int pending = refilling.get();
            if (target - idleCount.get() - pending <= 0) {
                return;
            }
            if (refilling.compareAndSet(pending, pending + 1)) {
                services.background().execute(this::refillOne);
            }
        }
    }

    private void refillOne() {
        try {
            offerIdle(spawn());
        } catch (IOException e) {
            LOG.debug("function {}: {}", function.id(), startFailure);
        } catch (RuntimeException e) {
            LOG.warn("function {}: cannot pre-spawn a process", function.id(), e);
        } finally {
            refilling.decrementAndGet();
        }
    }

    private void offerIdle(Spawned process) {
        if (!services.holdIdlePlace()) {
            // The server keeps at most maxIdleInstances processes waiting, over all functions.
            process.kill();
            return;
        }
        idle.addLast(process);
        idleCount.incrementAndGet();
        if (closed) {
            killIdle();
        }
    }

    @Override
    public int warm(int instances) {
        target = Math.max(target, instances);
        while (!closed && idleCount.get() + refilling.get() < instances) {
            try {
                offerIdle(spawn());
            } catch (IOException e) {
                break;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try {
            while (refilling.get() > 0 && idleCount.get() < instances && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return (int) Math.min(instances, idle.stream().filter(Spawned::isAlive).count());
    }

    @Override
    public Optional<Duration> startInstance() {
        try {
            Spawned process = spawn();
            offerIdle(process);
            return Optional.of(process.spawnDuration());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<String> probe() {
        long window = services.limits().healthProbeWindow().toNanos();
        for (Spawned process : idle) {
            if (process.isAlive() && System.nanoTime() - process.startedNanos() >= window) {
                return Optional.empty();
            }
        }
        Spawned process = takeIdle();
        try {
            if (process == null) {
                process = spawn();
            }
        } catch (IOException e) {
            return Optional.of(startFailure);
        }
        long remaining = window - (System.nanoTime() - process.startedNanos());
        try {
            if (remaining > 0 && process.process().waitFor(remaining, TimeUnit.NANOSECONDS)
                    || !process.isAlive()) {
                noteEarlyExit(process);
                return Optional.of(startFailure);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        offerIdle(process);
        startFailure = null;
        return Optional.empty();
    }

    /** Why the last process failed to start or died before receiving a request, if one did since the last probe. */
    public Optional<String> lastStartFailure() {
        return Optional.ofNullable(startFailure);
    }

    @Override
    public InstanceCounts counts() {
        return new InstanceCounts(idleCount.get(), running.size());
    }

    @Override
    public void abort() {
        closed = true;
        aborted = true;
        killIdle();
        running.forEach(run -> run.kill(Execution.Outcome.ABORTED));
    }

    @Override
    public void close() {
        closed = true;
        killIdle();
    }

    private void killIdle() {
        Spawned process;
        while ((process = idle.pollFirst()) != null) {
            idleCount.decrementAndGet();
            services.releaseIdlePlace();
            process.kill();
        }
    }

    /** The exit status, waiting at most {@code seconds} (0: until the process exits); -1 when unknown. */
    private static int waitQuietly(Spawned process, int seconds) {
        try {
            if (seconds == 0) {
                return process.process().waitFor();
            }
            return process.process().waitFor(seconds, TimeUnit.SECONDS) ? process.process().exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
