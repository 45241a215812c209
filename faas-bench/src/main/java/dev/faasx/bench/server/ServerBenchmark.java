package dev.faasx.bench.server;

import dev.faasx.core.FunctionPackage;
import dev.faasx.server.Bootstraps;
import dev.faasx.server.Isolation;
import dev.faasx.server.ReferenceServer;
import dev.faasx.server.ServerLimits;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The reference server's load harness: starts the server embedded on a loopback port, deploys a static C echo
 * (compiled here with gcc) as a one-shot v1 function and as a persistent worker, the same echo written without a C
 * library ({@code native/echo-nolibc.c}: a process whose start costs no more than the kernel's exec) as a v1
 * function, and a Java {@link EchoHandler} as a persistent {@code FunctionMain} worker, then measures for each
 * <ul>
 *   <li>cold start: deploy (PUT) to first result (POST invoke answered), on fresh function ids;</li>
 *   <li>unloaded latency: one client in a closed loop, p50/p99; and one client sending a request every 5 ms
 *       ({@code --pace-ms}; the server idle in between, a v1 function has replaced the process its previous call
 *       used), p50;</li>
 *   <li>throughput: 64 clients (by default), closed loop, invocations per second.</li>
 * </ul>
 * once with every function in the bubblewrap sandbox (where bubblewrap is installed) and once without isolation, in
 * the same run, with the ratios sandbox / none; v1 functions keep 2 processes pre-started
 * ({@code prespawnedProcesses(2)}), so that the unloaded latency is that of a pre-started instance;
 * and, for context, the ceilings of one process per call on this machine at the time of the run: a bare
 * {@code ProcessBuilder} loop and a C {@code posix_spawn} loop starting the same echo, and the C loop starting the
 * echo without libc, without HTTP.
 * Every run is bounded in time and count and talks to loopback only. Prints a Markdown table.
 *
 * <pre>
 * ./mvnw -B -q -pl faas-bench -am -DskipTests package
 * java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.server.ServerBenchmark [--clients 64] [--seconds 10]
 *      [--warmup 10] [--latency-requests 5000] [--cold-starts 5] [--pace-ms 5]
 *      [--only all|c-v1,c-v1-nolibc,c-worker,java-worker]
 * </pre>
 *
 * <p>Like the server's command line, it selects the VFORK process launch mechanism on JDKs before 25.
 */
public final class ServerBenchmark {
    private static final byte[] REQUEST = "{\"job_id\":1,\"args\":[104,101,108,108,111]}"
            .getBytes(StandardCharsets.UTF_8);
    private static final String PERSISTENT = "{\"worker_mode\":\"persistent\"}";
    /** The measured persistent functions keep their 8 workers (the server's default cap) started. */
    private static final String PERSISTENT_WARM = "{\"worker_mode\":\"persistent\",\"keep_warm\":8}";

    private ServerBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (Runtime.version().feature() < 25 && System.getProperty("jdk.lang.Process.launchMechanism") == null) {
            System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
        }
        Map<String, String> options = options(args);
        int clients = Integer.parseInt(options.get("clients"));
        Duration seconds = Duration.ofSeconds(Integer.parseInt(options.get("seconds")));
        Duration warmup = Duration.ofSeconds(Integer.parseInt(options.get("warmup")));
        int latencyRequests = Integer.parseInt(options.get("latency-requests"));
        int coldStarts = Integer.parseInt(options.get("cold-starts"));
        List<String> only = List.of(options.get("only").split(","));
        Duration pace = Duration.ofMillis(Long.parseLong(options.get("pace-ms")));
        Load load = new Load(clients, warmup, seconds, latencyRequests, pace);

        Path work = Files.createTempDirectory("faasx-bench");
        byte[] echo = Bootstraps.nativeEcho(work).orElseThrow(() -> new IllegalStateException(
                "gcc is needed to build the C echo function"));
        byte[] nativeZip = FunctionPackage.bootstrapBinary(echo).zip();
        Path noLibc = null;
        try {
            noLibc = compile(work, "echo-nolibc.c", "echo-nolibc", List.of("-static", "-nostdlib",
                    "-fno-stack-protector", "-fno-builtin"));
        } catch (IOException e) {
            System.out.println("the echo without libc is left out (it is written for x86-64 Linux): " + e.getMessage());
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        byte[] javaZip = FunctionPackage.bootstrapScript("#!/bin/sh\nexec '" + java + "' -XX:+UseSerialGC -cp '"
                + absoluteClassPath() + "' dev.faasx.core.function.FunctionMain "
                + EchoHandler.class.getName() + "\n").zip();

        List<String> report = new ArrayList<>();
        report.add("| isolation | function | cold start (deploy → first result), median of " + coldStarts
                + " | unloaded p50 (1 client) | unloaded p99 (1 client) | p50, 1 request / " + pace.toMillis()
                + " ms | throughput, " + clients + " clients | failures |");
        report.add("|---|---|---|---|---|---|---|---|");
        Map<String, Map<String, Figures>> byIsolation = new LinkedHashMap<>();
        List<Isolation> isolations = dev.faasx.server.internal.sandbox.Bubblewrap.find().isPresent()
                ? List.of(Isolation.SANDBOX, Isolation.NONE) : List.of(Isolation.NONE);
        for (Isolation isolation : isolations) {
            Map<String, Figures> figures = new LinkedHashMap<>();
            byIsolation.put(isolation.name().toLowerCase(Locale.ROOT), figures);
            try (ReferenceServer server = ReferenceServer.builder().port(0)
                    .dataDirectory(work.resolve("data-" + isolation.name().toLowerCase(Locale.ROOT)))
                    .isolation(isolation).functionReadOnlyPaths(classPathEntries())
                    .limits(ServerLimits.builder().prespawnedProcesses(2).build())
                    .build().start()) {
                URI base = server.baseUri();
                System.out.println("=== " + server.startupSummary());
                String tag = isolation.name().toLowerCase(Locale.ROOT);
                if (only.contains("all") || only.contains("c-v1")) {
                    figures.put("C echo, v1 process per call", scenario(base, "C echo, v1 process per call", "c-v1",
                            nativeZip, null, coldStarts, load));
                }
                if (noLibc != null && (only.contains("all") || only.contains("c-v1-nolibc"))) {
                    figures.put("C echo without libc, v1", scenario(base, "C echo without libc, v1 process per call",
                            "c-v1-nolibc", FunctionPackage.bootstrapBinary(Files.readAllBytes(noLibc)).zip(), null,
                            coldStarts, load));
                }
                if (only.contains("all") || only.contains("c-worker")) {
                    figures.put("C echo, persistent worker", scenario(base, "C echo, persistent worker", "c-worker",
                            nativeZip, PERSISTENT, coldStarts, load));
                }
                if (only.contains("all") || only.contains("java-worker")) {
                    figures.put("Java JobHandler, persistent worker", scenario(base,
                            "Java JobHandler, persistent worker", "java-worker", javaZip, PERSISTENT,
                            Math.min(coldStarts, 3), load));
                }
                figures.forEach((title, f) -> report.add("| " + tag + " " + f.row(title)));
            }
        }
        if (byIsolation.size() == 2) {
            report.add("");
            report.add("| function | cold start, sandbox / none | unloaded p50, sandbox / none | throughput, "
                    + "sandbox / none |");
            report.add("|---|---|---|---|");
            Map<String, Figures> sandbox = byIsolation.get("sandbox");
            Map<String, Figures> none = byIsolation.get("none");
            sandbox.forEach((title, s) -> {
                Figures n = none.get(title);
                report.add(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |", title,
                        (double) s.coldMillis() / Math.max(1, n.coldMillis()), s.p50Millis() / n.p50Millis(),
                        s.throughput() / n.throughput()));
            });
        }
        double ceiling = spawnCeiling(work.resolve("echo"), Duration.ofSeconds(5));
        String cSpawns = nativeSpawnCeiling(work, work.resolve("echo"));
        String cSpawnsNoLibc = noLibc == null ? "unknown" : nativeSpawnCeiling(work, noLibc);
        System.out.println();
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                + " CPUs, launch mechanism " + System.getProperty("jdk.lang.Process.launchMechanism", "default"));
        System.out.printf(Locale.ROOT, "bare ProcessBuilder, same C echo, 4 threads, no HTTP: %,.0f processes/s%n",
                ceiling);
        System.out.println("C posix_spawn + waitpid of the same echo, 2 threads: " + cSpawns);
        System.out.println("C posix_spawn + waitpid of the echo without libc, 2 threads: " + cSpawnsNoLibc);
        report.forEach(System.out::println);
    }

    /** How each function is loaded: the 64-client run, the closed-loop and the paced single-client runs. */
    private record Load(int clients, Duration warmup, Duration seconds, int latencyRequests, Duration pace) {
    }

    /** What one scenario measured. */
    private record Figures(long coldMillis, double p50Millis, double p99Millis, double pacedP50Millis,
                           double throughput, long failures, long requests) {
        String row(String title) {
            return String.format(Locale.ROOT, "| %s | %d ms | %.2f ms | %.2f ms | %.2f ms | %,.0f /s | %d of %d |",
                    title, coldMillis, p50Millis, p99Millis, pacedP50Millis, throughput, failures, requests);
        }
    }

    /** The class path entries, which sandboxed Java functions of the benchmark must be able to read. */
    private static List<Path> classPathEntries() {
        List<Path> out = new ArrayList<>();
        for (String entry : absoluteClassPath().split(java.io.File.pathSeparator)) {
            if (!entry.isBlank()) {
                out.add(Path.of(entry));
            }
        }
        return out;
    }

    private static Figures scenario(URI base, String title, String id, byte[] zip, String config, int coldStarts,
                                    Load load) throws Exception {
        System.out.println("== " + title);
        List<Long> colds = new ArrayList<>();
        for (int i = 0; i < coldStarts; i++) {
            colds.add(coldStartMillis(base, id + "-cold-" + i, zip, config));
        }
        colds.sort(Long::compare);
        System.out.println("cold starts (ms): " + colds);
        deploy(base, id, zip, config == null ? null : PERSISTENT_WARM);
        LoadRun.Result unloaded = LoadRun.run(base, invokePath(id), REQUEST, 1, Duration.ofSeconds(3),
                Duration.ofSeconds(20), load.latencyRequests());
        System.out.println("1 client: " + describe(unloaded));
        LoadRun.Result paced = LoadRun.paced(base, invokePath(id), REQUEST, load.pace(), 100, 500);
        System.out.println("1 client, paced: " + describe(paced));
        LoadRun.Result loaded = LoadRun.run(base, invokePath(id), REQUEST, load.clients(), load.warmup(),
                load.seconds(), Long.MAX_VALUE);
        System.out.println(load.clients() + " clients: " + describe(loaded));
        System.out.println("server metrics: " + metrics(base, id));
        return new Figures(colds.get(colds.size() / 2), unloaded.p50Micros() / 1000.0, unloaded.p99Micros() / 1000.0,
                paced.p50Micros() / 1000.0, loaded.throughput(),
                unloaded.failures() + paced.failures() + loaded.failures(),
                unloaded.requests() + paced.requests() + loaded.requests());
    }

    /**
     * The rate at which this JVM runs the echo binary with nothing else going on: start it, write the request,
     * read the answer, wait for the exit, from 4 threads. The ceiling a process-per-call server cannot pass here.
     */
    static double spawnCeiling(Path binary, Duration duration) throws InterruptedException {
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        long end = System.nanoTime() + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        Process process = new ProcessBuilder(binary.toString())
                                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                        try (var stdin = process.getOutputStream()) {
                            stdin.write(REQUEST);
                        }
                        process.getInputStream().readAllBytes();
                        process.waitFor();
                        done.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return done.get() / (duration.toNanos() / 1e9);
    }

    /**
     * The rate of {@code native/spawnloop.c} (compiled here) starting {@code binary} from 2 threads for 5 s, and the
     * CPU time each child used.
     */
    /** Compiles {@code native/<source>} (a resource of this module) with gcc -O2 and the flags into {@code work}. */
    static Path compile(Path work, String source, String binary, List<String> flags)
            throws IOException, InterruptedException {
        Path file = work.resolve(source);
        try (var in = ServerBenchmark.class.getResourceAsStream("/native/" + source)) {
            Files.write(file, in.readAllBytes());
        }
        Path out = work.resolve(binary);
        List<String> command = new ArrayList<>(List.of("gcc", "-O2"));
        command.addAll(flags);
        command.addAll(List.of("-o", out.toString(), file.toString()));
        Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        String gccOutput = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (gcc.waitFor() != 0) {
            throw new IOException("gcc failed on " + source + ": " + gccOutput.strip());
        }
        return out;
    }

    static String nativeSpawnCeiling(Path work, Path binary) throws IOException, InterruptedException {
        Path loop;
        try {
            loop = compile(work, "spawnloop.c", "spawnloop", List.of("-pthread"));
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
        Process run = new ProcessBuilder(loop.toString(), binary.toString(), "2", "5").redirectErrorStream(true)
                .start();
        String[] figures = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()
                .split(" ");
        return run.waitFor() == 0 && figures.length == 2
                ? String.format(Locale.ROOT, "%,d processes/s, %s ms of CPU per child", Long.parseLong(figures[0]),
                figures[1])
                : "unknown (" + String.join(" ", figures) + ")";
    }

    /** Deploy to first answered invocation, in milliseconds, as a client sees it. */
    private static long coldStartMillis(URI base, String id, byte[] zip, String config) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(base)) {
            long start = System.nanoTime();
            RawHttpConnection.Answer deployed = connection.send("PUT", "/api/functions/" + id, headers(config), zip);
            RawHttpConnection.Answer first = connection.send("POST", invokePath(id),
                    Map.of("Content-Type", "application/json"), REQUEST);
            long elapsed = System.nanoTime() - start;
            if (deployed.status() != 200 || first.status() != 200) {
                throw new IllegalStateException("cold start of " + id + " failed: " + deployed.text() + " / "
                        + first.text());
            }
            connection.send("DELETE", "/api/functions/" + id, Map.of(), new byte[0]);
            return Math.round(elapsed / 1e6);
        }
    }

    /** Deploys {@code id} and warms it, so that no instance starts while it is measured. */
    private static void deploy(URI base, String id, byte[] zip, String config) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(base)) {
            RawHttpConnection.Answer answer = connection.send("PUT", "/api/functions/" + id, headers(config), zip);
            if (answer.status() != 200) {
                throw new IllegalStateException("deploy of " + id + " failed: " + answer.text());
            }
            RawHttpConnection.Answer warmed = connection.send("POST", "/api/functions/" + id + "/warm", Map.of(),
                    new byte[0]);
            System.out.println("warm: " + warmed.text());
        }
    }

    private static String metrics(URI base, String id) throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(base)) {
            return connection.send("GET", "/api/functions/" + id + "/metrics", Map.of(), new byte[0]).text();
        }
    }

    private static Map<String, String> headers(String config) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/zip");
        if (config != null) {
            headers.put("X-Blueprint-Config", Base64.getEncoder().encodeToString(
                    config.getBytes(StandardCharsets.UTF_8)));
        }
        return headers;
    }

    /** This JVM's class path with absolute entries, usable from the function's own working directory. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String invokePath(String id) {
        return "/api/functions/" + id + "/invoke";
    }

    private static String describe(LoadRun.Result r) {
        return String.format(Locale.ROOT, "%,d requests in %.1f s = %,.0f/s; p50 %.3f ms, p90 %.3f ms, p99 %.3f ms,"
                        + " max %.1f ms; %d failures%s", r.requests(), r.seconds(), r.throughput(),
                r.p50Micros() / 1000.0, r.p90Micros() / 1000.0, r.p99Micros() / 1000.0, r.maxMicros() / 1000.0,
                r.failures(), r.firstFailure() == null ? "" : " (first: " + r.firstFailure() + ")");
    }

    /** {@code --name value} pairs over the defaults; an unknown name is an error. */
    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>(Map.of("clients", "64", "seconds", "10", "warmup", "10",
                "latency-requests", "5000", "cold-starts", "5", "only", "all", "pace-ms", "5"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            String name = args[i].replaceFirst("^--", "");
            if (!options.containsKey(name)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + options.keySet());
            }
            options.put(name, args[i + 1]);
        }
        return options;
    }
}
