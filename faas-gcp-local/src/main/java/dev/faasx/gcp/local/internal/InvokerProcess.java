package dev.faasx.gcp.local.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One function instance: Google's Functions Framework invoker in its own JVM (started by
 * {@link LoopbackInvokerMain}, which binds it to the loopback interface), with the function's JAR as its classpath, its entry point as target, its environment variables and the
 * variables Cloud Functions sets ({@code PORT}, {@code K_SERVICE}, {@code K_REVISION}, {@code FUNCTION_TARGET},
 * {@code FUNCTION_SIGNATURE_TYPE}, {@code CLOUD_RUN_TIMEOUT_SECONDS}). Its output goes to {@code instance.log} in
 * the function's directory. Thread-safe.
 */
public final class InvokerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private InvokerProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * How to start instances: {@code launcherJar} holds {@link LoopbackInvokerMain} alone, which starts the invoker
     * from {@code invokerJar} and moves it onto the loopback interface.
     */
    public record Launch(Path java, Path invokerJar, Path launcherJar, List<String> jvmOptions, Duration startTimeout) {
    }

    /**
     * Starts an instance and waits until it accepts connections.
     *
     * @throws FunctionBuild.Failure when the process ends or does not listen in time; the message holds the end of
     *                               its output
     */
    public static InvokerProcess start(Launch launch, Path jar, String target, String service, String revision,
                                       int timeoutSeconds, int memoryMb, Map<String, String> environment,
                                       Path directory) throws FunctionBuild.Failure, IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(launch.java().toString());
        command.add("-Xmx" + Math.max(64, memoryMb * 3 / 4) + "m");
        command.addAll(launch.jvmOptions());
        Path log = directory.resolve("instance-" + revision + ".log");
        Path ready = directory.resolve("instance-" + revision + ".ready");
        command.addAll(List.of("-cp", launch.launcherJar() + java.io.File.pathSeparator + launch.invokerJar(),
                LoopbackInvokerMain.class.getName(), ready.toString(), "--classpath", jar.toString(),
                "--target", target, "--port", Integer.toString(port)));
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("GOOGLE_") || k.startsWith("FAASX_") || k.startsWith("JAVA_TOOL"));
        env.putAll(environment);
        env.put("PORT", Integer.toString(port));
        env.put("K_SERVICE", service);
        env.put("K_REVISION", revision);
        env.put("K_CONFIGURATION", service);
        env.put("FUNCTION_TARGET", target);
        env.put("FUNCTION_SIGNATURE_TYPE", "http");
        env.put("CLOUD_RUN_TIMEOUT_SECONDS", Integer.toString(timeoutSeconds));
        Process process = builder.start();
        InvokerProcess instance = new InvokerProcess(process, port, log);
        instance.awaitListening(launch.startTimeout(), ready);
        return instance;
    }

    /** The loopback port the invoker listens on. */
    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The last lines of the instance's output. */
    public String outputTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 12), lines.size()));
        } catch (IOException e) {
            return "(no output)";
        }
    }

    private void awaitListening(Duration timeout, Path ready) throws FunctionBuild.Failure {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Thread.currentThread().isInterrupted()) {
                close();
                throw new FunctionBuild.Failure("the emulator stopped while the instance was starting");
            }
            if (!process.isAlive()) {
                throw new FunctionBuild.Failure("the function instance exited with status " + process.exitValue()
                        + " while starting: " + outputTail());
            }
            if (Files.exists(ready)) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                    return;
                } catch (IOException notYet) {
                    // the file is written after the connector listens; go on polling
                }
            }
            sleep(10);
        }
        close();
        throw new FunctionBuild.Failure("the function instance did not listen within " + timeout.toSeconds()
                + " s: " + outputTail());
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
