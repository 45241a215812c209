package dev.faasx.azure.local.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One running custom handler: the process the host started from {@code host.json} with
 * {@code FUNCTIONS_CUSTOMHANDLER_PORT}, and the port it listens on. Started the way the Functions host does it: the
 * executable (a file in the app's folder, or a program on the path), its arguments, the working directory, the
 * app settings as environment; ready once an HTTP request to its port gets any answer.
 */
final class WorkerProcess {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);
    /** What the worker inherits from the emulator's own environment: just enough to run programs. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ",
            "JAVA_HOME");

    final Process process;
    final int port;
    final String workerId;
    final Instant started;
    final Duration startup;
    final Path log;

    private WorkerProcess(Process process, int port, String workerId, Instant started, Duration startup, Path log) {
        this.process = process;
        this.port = port;
        this.workerId = workerId;
        this.started = started;
        this.startup = startup;
        this.log = log;
    }

    static WorkerProcess start(Site site, AppContent content, Map<String, String> settings, Duration startTimeout,
                               HttpClient client) throws WorkerStartException {
        int port = freePort();
        String workerId = UUID.randomUUID().toString();
        List<String> command = new ArrayList<>();
        command.add(executable(content));
        content.arguments().forEach(a -> command.add(expand(a, settings)));
        Path log;
        try {
            Files.createDirectories(site.root.resolve("logs"));
            log = site.root.resolve("logs").resolve("handler-" + Instant.now().toEpochMilli() + ".log");
        } catch (IOException e) {
            throw new WorkerStartException("cannot create the log folder: " + e.getMessage());
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(content.workingDirectory().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        Map<String, String> inherited = new java.util.HashMap<>();
        INHERITED.forEach(name -> {
            String v = System.getenv(name);
            if (v != null) {
                inherited.put(name, v);
            }
        });
        env.clear();
        env.putAll(inherited);
        env.putAll(settings);
        env.put("FUNCTIONS_CUSTOMHANDLER_PORT", Integer.toString(port));
        env.put("FUNCTIONS_CUSTOMHANDLER_WORKER_ID", workerId);
        env.put("FUNCTIONS_HTTPWORKER_PORT", Integer.toString(port));
        env.put("FUNCTIONS_HTTPWORKER_ID", workerId);
        env.put("FUNCTIONS_APP_ROOT_PATH", content.wwwroot().toString());
        env.put("AzureWebJobsScriptRoot", content.wwwroot().toString());
        env.put("WEBSITE_SITE_NAME", site.name);
        env.put("WEBSITE_HOSTNAME", site.name + ".azurewebsites.net");
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new WorkerStartException("cannot start the custom handler " + command.get(0) + ": "
                    + e.getMessage());
        }
        long deadline = t0 + startTimeout.toNanos();
        URI ping = URI.create("http://127.0.0.1:" + port + "/");
        while (true) {
            if (!process.isAlive()) {
                throw new WorkerStartException("the custom handler exited with status " + process.exitValue()
                        + " before it listened on its port; its output: " + tail(log));
            }
            try {
                client.send(HttpRequest.newBuilder(ping).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                Duration startup = Duration.ofNanos(System.nanoTime() - t0);
                LOG.debug("custom handler of {} ready on port {} after {} ms", site.name, port, startup.toMillis());
                return new WorkerProcess(process, port, workerId, started, startup, log);
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new WorkerStartException("interrupted while the custom handler started");
            }
            if (System.nanoTime() > deadline) {
                stop(process);
                throw new WorkerStartException("the custom handler did not listen on FUNCTIONS_CUSTOMHANDLER_PORT "
                        + "within " + startTimeout.toMillis() + " ms; its output: " + tail(log));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new WorkerStartException("interrupted while the custom handler started");
            }
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    void stop() {
        stop(process);
    }

    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    /** The executable: a file in the app's folder when one exists, "java" as this JVM's own, else the name. */
    private static String executable(AppContent content) {
        String path = content.executable();
        Path inApp = content.wwwroot().resolve(path).normalize();
        if (inApp.startsWith(content.wwwroot()) && Files.isRegularFile(inApp)) {
            return inApp.toString();
        }
        if (path.equals("java")) {
            // The Java stack's image has java on its path; here it is the JVM that runs the emulator.
            return Path.of(System.getProperty("java.home"), "bin", "java").toString();
        }
        return path;
    }

    /** Expands {@code %NAME%} as the host expands environment variables in its arguments. */
    private static String expand(String argument, Map<String, String> settings) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < argument.length()) {
            int start = argument.indexOf('%', i);
            int end = start < 0 ? -1 : argument.indexOf('%', start + 1);
            if (start < 0 || end < 0) {
                out.append(argument, i, argument.length());
                break;
            }
            String name = argument.substring(start + 1, end);
            String value = settings.containsKey(name) ? settings.get(name) : System.getenv(name);
            out.append(argument, i, start).append(value == null ? argument.substring(start, end + 1) : value);
            i = end + 1;
        }
        return out.toString();
    }

    static String tail(Path log) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = Math.max(0, bytes.length - 2000);
            return new String(bytes, from, bytes.length - from, java.nio.charset.StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private static int freePort() throws WorkerStartException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new WorkerStartException("no free port for the custom handler: " + e.getMessage());
        }
    }

    /** The handler could not be started. */
    static final class WorkerStartException extends Exception {
        private static final long serialVersionUID = 1L;

        WorkerStartException(String message) {
            super(message, null, false, false);
        }
    }
}
