package dev.faasx.cloudflare.internal.local;

import dev.faasx.core.internal.DaemonThreads;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running {@code workerd serve} process. workerd reports the port it bound on its control descriptor (here
 * stdout, shared with the Worker's {@code console.log}); the socket has a random name per start so that a Worker
 * cannot imitate the message. stderr is kept (bounded) so that a failed start can say why.
 */
final class WorkerdProcess {
    private static final Logger LOG = LoggerFactory.getLogger("dev.faasx.cloudflare.workerd");
    private static final int MAX_STDERR_LINES = 200;

    private final Process process;
    private final int port;
    private final Duration startup;

    private WorkerdProcess(Process process, int port, Duration startup) {
        this.process = process;
        this.port = port;
        this.startup = startup;
    }

    /** Thrown when workerd exits or stays silent before it listens; the message holds its own words. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean exited;

        StartFailure(String message, boolean exited) {
            super(message);
            this.exited = exited;
        }

        /** Whether workerd exited (the config or the Worker's code was refused) rather than timing out. */
        boolean exited() {
            return exited;
        }
    }

    static WorkerdProcess start(Path binary, Path config, String socketName, Duration timeout)
            throws IOException, StartFailure {
        long started = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "serve", config.getFileName().toString(),
                "--experimental", "--control-fd=1").directory(config.getParent().toFile());
        Process process = pb.start();
        process.getOutputStream().close();
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        List<String> stderr = new ArrayList<>();
        Pattern control = Pattern.compile("\\{\"event\":\"listen\",\"socket\":\"" + Pattern.quote(socketName)
                + "\",\"port\":(\\d+)}");
        Thread out = daemon("workerd-out-" + process.pid(), () -> readStdout(process.getInputStream(), control,
                listening));
        Thread err = daemon("workerd-err-" + process.pid(), () -> readStderr(process.getErrorStream(), stderr));
        out.start();
        err.start();
        process.onExit().thenRun(() -> listening.completeExceptionally(new IllegalStateException("exited")));
        try {
            int port = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new WorkerdProcess(process, port, Duration.ofNanos(System.nanoTime() - started));
        } catch (ExecutionException e) {
            joinQuietly(err);
            throw new StartFailure(describe(stderr, "workerd exited with status " + exitValue(process)), true);
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new StartFailure(describe(stderr, "workerd did not listen within " + timeout), false);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting workerd", e);
        }
    }

    int port() {
        return port;
    }

    Duration startup() {
        return startup;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then a forced kill if workerd has not exited within {@code grace}. */
    /** Kills the process at once, without waiting (for a JVM that is exiting). */
    void kill() {
        process.destroyForcibly();
    }

    void stop(Duration grace) {
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void readStdout(InputStream in, Pattern control, CompletableFuture<Integer> listening) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Matcher m = control.matcher(line.strip());
                if (!listening.isDone() && m.matches()) {
                    listening.complete(Integer.parseInt(m.group(1)));
                } else {
                    LOG.debug("worker: {}", line);
                }
            }
        } catch (IOException e) {
            LOG.debug("workerd stdout closed: {}", e.getMessage());
        }
    }

    private static void readStderr(InputStream in, List<String> lines) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                LOG.debug("workerd: {}", line);
                synchronized (lines) {
                    if (lines.size() < MAX_STDERR_LINES) {
                        lines.add(line);
                    }
                }
            }
        } catch (IOException e) {
            LOG.debug("workerd stderr closed: {}", e.getMessage());
        }
    }

    private static String describe(List<String> stderr, String fallback) {
        synchronized (stderr) {
            String text = String.join("\n", stderr).strip();
            return text.isEmpty() ? fallback : text;
        }
    }

    private static String exitValue(Process process) {
        try {
            return String.valueOf(process.exitValue());
        } catch (IllegalThreadStateException e) {
            return "unknown";
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(String name, Runnable r) {
        return DaemonThreads.named(name).newThread(r);
    }
}
