package dev.faasx.examples;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobRouter;
import dev.faasx.core.spec.WorkerMode;
import dev.faasx.examples.jobs.Checksum;
import dev.faasx.examples.jobs.Shout;
import dev.faasx.examples.jobs.WordCount;
import dev.faasx.http.HttpFaasExecutor;
import dev.faasx.server.ReferenceServer;
import io.github.resilience4j.retry.RetryConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo: starts the reference FaaS server embedded on a free port, deploys {@link JobHandler}s to it as
 * {@code bootstrap} functions, and runs a mixed workload through one {@link FaasRunner}: job 1 runs in this
 * process, jobs 2–4 are delegated to the server (two as persistent workers, one as a process per invocation).
 * It prints progress while it runs and a table per job at the end.
 *
 * <p>Run: {@code ./mvnw -B -q -Pdemo -DskipTests verify}, or {@code Demo [scale]} where scale multiplies the
 * number of calls (default 1).
 */
public final class Demo {
    static final long CHECKSUM = 1;
    static final long SHOUT = 2;
    static final long WORD_COUNT = 3;
    static final long WORD_COUNT_PROCESS = 4;

    private static final Map<Long, String> NAMES = Map.of(
            CHECKSUM, "checksum",
            SHOUT, "shout (worker)",
            WORD_COUNT, "word count (worker)",
            WORD_COUNT_PROCESS, "word count (process)");

    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        // Undertow and XNIO log through JBoss Logging, which would pick java.util.logging and print its start-up
        // lines before the demo's own output; route it to SLF4J, which this module sets to warnings only.
        System.setProperty("org.jboss.logging.provider", "slf4j");
        double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        DemoReport report = run(scale, System.out);
        List<String> problems = report.problems(plannedCalls(scale));
        if (!problems.isEmpty()) {
            System.err.println("the demo did not go as expected:");
            problems.forEach(p -> System.err.println("  - " + p));
            System.exit(1);
        }
    }

    static int plannedCalls(double scale) {
        return counts(scale).values().stream().mapToInt(Integer::intValue).sum();
    }

    private static Map<Long, Integer> counts(double scale) {
        return Map.of(
                CHECKSUM, (int) Math.max(1, 1000 * scale),
                SHOUT, (int) Math.max(1, 1000 * scale),
                WORD_COUNT, (int) Math.max(1, 400 * scale),
                WORD_COUNT_PROCESS, (int) Math.max(1, 12 * scale));
    }

    static DemoReport run(double scale, PrintStream out) throws Exception {
        Path data = Files.createTempDirectory("faasx-demo");
        try (ReferenceServer server = ReferenceServer.builder().port(0).dataDirectory(data).build().start();
             HttpFaasExecutor executor = HttpFaasExecutor.create(server.baseUri())) {
            out.println("reference server listening on " + server.baseUri());
            deploy(executor, out);

            List<JobCall> calls = workload(scale);
            // The only failures the demo expects: word counts of inputs with a NUL byte, which the job refuses.
            Set<String> expectedFailures = calls.stream()
                    .filter(c -> new String(c.body(), StandardCharsets.UTF_8).contains("\0"))
                    .map(JobCall::callId).collect(Collectors.toSet());
            DemoReport report = new DemoReport(NAMES, expectedFailures);
            AtomicInteger done = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            long start = System.nanoTime();
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
            ticker.scheduleAtFixedRate(() -> progress(out, start, done.get(), failed.get(), calls.size()),
                    1, 1, TimeUnit.SECONDS);
            try (FaasRunner runner = FaasRunner.builder()
                    .router(JobRouter.builder().route(CHECKSUM, new Checksum()).build())
                    .withFaasExecutor(SHOUT, executor)
                    .withFaasExecutor(WORD_COUNT, executor)
                    .withFaasExecutor(WORD_COUNT_PROCESS, executor)
                    .producer(JobProducer.of(calls))
                    .consumer(result -> {
                        report.add(result);
                        done.incrementAndGet();
                        if (!result.isSuccess()) {
                            failed.incrementAndGet();
                        }
                    })
                    // Overloaded functions answer 503: the call did not run, so retrying it is safe.
                    .defaultPolicy(JobPolicy.builder()
                            .deadline(Duration.ofSeconds(60))
                            .retry(RetryConfig.custom().maxAttempts(6).waitDuration(Duration.ofMillis(100)).build())
                            .build())
                    .maxInFlight(8)
                    .build()) {
                runner.run();
            } finally {
                ticker.shutdownNow();
            }
            progress(out, start, done.get(), failed.get(), calls.size());
            out.println();
            report.print(out);
            return report;
        } finally {
            deleteTree(data);
        }
    }

    private static void deploy(HttpFaasExecutor executor, PrintStream out) {
        FaasConfig worker = FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(30)).maxConcurrency(4)
                .keepWarmInstances(2).providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, WorkerMode.PERSISTENT.wireName())
                .build();
        FaasConfig process = worker.toBuilder()
                .providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, WorkerMode.PROCESS.wireName()).build();
        long t0 = System.nanoTime();
        executor.deploy(SHOUT, FunctionBundle.of(Shout.class), worker).join();
        executor.deploy(WORD_COUNT, FunctionBundle.of(WordCount.class), worker).join();
        executor.deploy(WORD_COUNT_PROCESS, FunctionBundle.of(WordCount.class), process).join();
        out.printf("deployed jobs 2, 3 (persistent workers) and 4 (process per invocation) in %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
        for (long job : List.of(SHOUT, WORD_COUNT, WORD_COUNT_PROCESS)) {
            executor.warm(job).join();
        }
        out.println("warmed jobs 2, 3 and 4: their first calls can be served by instances already started");
    }

    private static List<JobCall> workload(double scale) {
        Random random = new Random(42);
        List<JobCall> calls = new ArrayList<>();
        counts(scale).forEach((job, n) -> {
            for (int i = 0; i < n; i++) {
                String text = "call " + i + " of job " + job + " " + "lorem ipsum dolor ".repeat(random.nextInt(8));
                if ((job == WORD_COUNT || job == WORD_COUNT_PROCESS) && random.nextInt(20) == 0) {
                    text += "\0binary";
                }
                calls.add(JobCall.builder(job).body(text.getBytes(StandardCharsets.UTF_8))
                        .metadata("doc", "doc-" + i).build());
            }
        });
        Collections.shuffle(calls, random);
        return calls;
    }

    private static void progress(PrintStream out, long start, int done, int failed, int total) {
        out.printf("[%5.1fs] %,d / %,d calls done, %,d failed%n", (System.nanoTime() - start) / 1e9, done, total,
                failed);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths.sorted(Collections.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
