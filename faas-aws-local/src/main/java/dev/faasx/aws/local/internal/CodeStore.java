package dev.faasx.aws.local.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Deployed code as Lambda mounts it: each distinct package is extracted once, read-only, and shared by every
 * execution environment that runs it. The Java runtimes ({@code java17}, {@code java21}) run what Lambda's managed
 * Java runtimes run: AWS's runtime interface client ({@code aws-lambda-java-runtime-interface-client}), which loads
 * the handler from the task root (classes at its root, JARs under {@code lib/}) and talks to the Runtime API. It also
 * keeps a class-data-sharing archive per package
 * and handler, recorded in the background by one training start of the runtime when the package starts its second
 * environment, so that the many JVMs a test starts on a small machine start faster; a package started once pays
 * nothing, and one whose training fails simply runs without an archive.
 */
final class CodeStore {
    /** JVM flags for a quick start of small JVMs, as Lambda's own Java runtimes tune theirs. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-XX:-UsePerfData", "-Xshare:auto");
    /** The entry point of AWS's runtime interface client. */
    static final String RUNTIME_CLIENT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";

    private final Path root;
    private final Path javaExecutable;
    private final RuntimeClientJars runtimeClient;
    private final Map<String, Path> extracted = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Optional<Path>>> archives = new ConcurrentHashMap<>();
    private final Map<String, Integer> starts = new ConcurrentHashMap<>();
    private final List<Process> recorders = new java.util.concurrent.CopyOnWriteArrayList<>();

    CodeStore(Path root, Path java) {
        this.root = root;
        this.javaExecutable = java;
        this.runtimeClient = new RuntimeClientJars(root.resolve("runtime-client"));
    }

    /** The task root of {@code snapshot}'s code, extracted on first use. */
    Path taskRoot(CodeSnapshot snapshot) {
        return extracted.computeIfAbsent(snapshot.codeSha256(), sha -> {
            Path dir = root.resolve("code-" + HexFormat.of().formatHex(sha.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .substring(0, 32));
            try {
                Files.createDirectories(dir);
                Files.write(dir.resolve("function.jar"), snapshot.code());
                Path task = dir.resolve("task");
                Zips.deleteTree(task); // what an earlier, failed extraction left
                Zips.extract(snapshot.code(), task);
                return task;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The command that starts the runtime of {@code snapshot}: its {@code bootstrap}, or for the Java runtimes a JVM
     * running AWS's runtime interface client with the function's handler.
     */
    List<String> command(CodeSnapshot snapshot, Map<String, String> environment) {
        Path task = taskRoot(snapshot);
        if (snapshot.runtime().startsWith("provided")) {
            return List.of(task.resolve("bootstrap").toString());
        }
        String classpath = runtimeClient.classpath();
        List<String> command = new ArrayList<>(javaCommand(snapshot));
        command.add(runtimeClient.nativeLibraryOption());
        archive(snapshot, classpath, environment).ifPresent(a -> command.add("-XX:SharedArchiveFile=" + a));
        command.addAll(List.of("-cp", classpath, RUNTIME_CLIENT, snapshot.handler()));
        return command;
    }

    private List<String> javaCommand(CodeSnapshot snapshot) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable.toString());
        command.addAll(JVM_FLAGS);
        command.add("-XX:MaxHeapSize=" + Math.max(64, snapshot.memoryMb() * 85 / 100) + "m");
        return command;
    }

    /**
     * The archive for this package and handler when one is ready. The second start of a package begins recording it
     * in the background; starts before it is ready simply run without it, so recording never delays a start.
     */
    /** Stops archive recordings still running, so that the emulator's files can be deleted. */
    void close() {
        for (Process recorder : recorders) {
            recorder.destroyForcibly();
            try {
                recorder.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Optional<Path> archive(CodeSnapshot snapshot, String classpath, Map<String, String> environment) {
        String key = snapshot.codeSha256() + "|" + snapshot.handler() + "|" + snapshot.memoryMb() + "|"
                + environment.get("FAASX_HANDLER");
        if (starts.merge(key, 1, Integer::sum) < 2) {
            return Optional.empty();
        }
        CompletableFuture<Optional<Path>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Path>> existing = archives.putIfAbsent(key, mine);
        if (existing != null) {
            return existing.isDone() ? existing.join() : Optional.empty();
        }
        Path archive = root.resolve("cds-" + Integer.toHexString(key.hashCode()) + "-" + archives.size() + ".jsa");
        Thread recorder = new Thread(() -> mine.complete(train(snapshot, classpath, environment, archive)),
                "local-lambda-cds");
        recorder.setDaemon(true);
        recorder.start();
        return Optional.empty();
    }

    /** Starts the runtime once against a closed port: it loads the handler, fails to connect and exits. */
    private Optional<Path> train(CodeSnapshot snapshot, String classpath, Map<String, String> environment,
                                 Path archive) {
        List<String> command = new ArrayList<>(javaCommand(snapshot));
        command.add(runtimeClient.nativeLibraryOption());
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", classpath, RUNTIME_CLIENT,
                snapshot.handler()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(taskRoot(snapshot).toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(environment);
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1");
        try {
            Process process = pb.start();
            recorders.add(process);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Optional.empty();
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
    }
}
