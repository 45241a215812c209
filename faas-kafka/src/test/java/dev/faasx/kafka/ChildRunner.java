package dev.faasx.kafka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link ChaosRunnerMain} in its own JVM, which the test can kill without any chance to clean up. */
final class ChildRunner implements AutoCloseable {
    private final Process process;
    private volatile long written;
    private volatile int partitions;

    private ChildRunner(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    static ChildRunner start(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), ChaosRunnerMain.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new ChildRunner(p);
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] parts = line.split(" ");
                if (parts.length == 4 && parts[0].equals("written")) {
                    written = Long.parseLong(parts[1]);
                    partitions = Integer.parseInt(parts[3]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended
        }
    }

    long written() {
        return written;
    }

    boolean hasPartitions() {
        return partitions > 0;
    }

    /** SIGKILL: no shutdown hook, no commit, no leaving the group, the open transaction stays open. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Closes its standard input: it closes its source and runner and exits. */
    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            process.getOutputStream().close();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
