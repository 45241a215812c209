package dev.faasx.aws.fake;

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
import java.util.stream.Stream;

/**
 * Deployed code as Lambda mounts it: each distinct package is extracted once, read-only, and shared by every
 * execution environment that runs it. For the Java runtimes it also keeps a class-data-sharing archive per package
 * and handler, recorded by one training start of the runtime when the package starts its second environment, so that
 * the many JVMs a test starts on a small machine start about twice as fast; a package started once pays nothing, and
 * one whose training fails simply runs without an archive.
 */
final class CodeStore {
    /** JVM flags for a quick start of small JVMs, as Lambda's own Java runtimes tune theirs. */
    static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:CICompilerCount=1", "-XX:-UsePerfData", "-Xshare:auto");
    private static final String RUNTIME_LOOP = "dev.faasx.aws.function.LambdaRuntimeLoop";

    private final Path root;
    private final Map<String, Path> extracted = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Optional<Path>>> archives = new ConcurrentHashMap<>();
    private final Map<String, Integer> starts = new ConcurrentHashMap<>();

    CodeStore(Path root) {
        this.root = root;
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
                Files.createDirectories(task);
                Zips.extract(snapshot.code(), task);
                return task;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The command that starts the runtime of {@code snapshot}: its {@code bootstrap}, or for the Java runtimes a JVM
     * running the handler through the runtime loop (the role Lambda's own runtime client plays).
     */
    List<String> command(CodeSnapshot snapshot, Map<String, String> environment) {
        Path task = taskRoot(snapshot);
        if (snapshot.runtime().startsWith("provided")) {
            return List.of(task.resolve("bootstrap").toString());
        }
        List<String> classpath = javaClasspath(task);
        List<String> command = new ArrayList<>(javaCommand(snapshot));
        archive(snapshot, classpath, environment).ifPresent(a -> command.add("-XX:SharedArchiveFile=" + a));
        command.addAll(List.of("-cp", String.join(":", classpath), RUNTIME_LOOP, snapshot.handler()));
        return command;
    }

    private static List<String> javaCommand(CodeSnapshot snapshot) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.add("-XX:MaxHeapSize=" + Math.max(64, snapshot.memoryMb() * 85 / 100) + "m");
        return command;
    }

    /** The uploaded JAR itself (its classes are at the root) and the JARs under lib/, in a stable order. */
    private static List<String> javaClasspath(Path task) {
        List<String> classpath = new ArrayList<>();
        classpath.add(task.getParent().resolve("function.jar").toString());
        Path lib = task.resolve("lib");
        if (Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().forEach(classpath::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return classpath;
    }

    private Optional<Path> archive(CodeSnapshot snapshot, List<String> classpath, Map<String, String> environment) {
        String key = snapshot.codeSha256() + "|" + snapshot.handler() + "|" + snapshot.memoryMb() + "|"
                + environment.get("FAASX_HANDLER");
        if (starts.merge(key, 1, Integer::sum) < 2) {
            return Optional.empty();
        }
        CompletableFuture<Optional<Path>> mine = new CompletableFuture<>();
        CompletableFuture<Optional<Path>> existing = archives.putIfAbsent(key, mine);
        if (existing != null) {
            return existing.join();
        }
        Path archive = root.resolve("cds-" + Integer.toHexString(key.hashCode()) + "-" + archives.size() + ".jsa");
        mine.complete(train(snapshot, classpath, environment, archive));
        return mine.join();
    }

    /** Starts the runtime once against a closed port: it loads the handler, fails to connect and exits. */
    private static Optional<Path> train(CodeSnapshot snapshot, List<String> classpath, Map<String, String> environment,
                                        Path archive) {
        List<String> command = new ArrayList<>(javaCommand(snapshot));
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", String.join(":", classpath),
                RUNTIME_LOOP, snapshot.handler()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().putAll(environment);
        pb.environment().put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:1");
        try {
            Process process = pb.start();
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
