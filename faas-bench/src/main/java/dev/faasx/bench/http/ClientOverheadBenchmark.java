package dev.faasx.bench.http;

import dev.faasx.bench.server.EchoHandler;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.function.FunctionMain;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.http.HttpFaasExecutor;
import dev.faasx.server.ReferenceServer;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What {@link HttpFaasExecutor} adds to a call: {@code executor.invoke(call)} against a bare {@link HttpClient} POST
 * of the very same request bytes to the very same endpoint, one caller, in one run. The executor's extra work is
 * encoding the request, decoding and checking the answer, and building the result with its metrics; the bare POST
 * sends pre-encoded bytes and takes the body as it comes, undecoded. Both use an HTTP/1.1 JDK client with
 * keep-alive, and the same payload encoding: the v1 byte array or the base64 extension. The bare POST in
 * {@link #alternating} is the caller's own blocking {@code send()} (the stricter baseline: the executor, being
 * asynchronous, sends on a thread of its own and hands the answer back); {@link #bareHttpClientPost} times
 * {@code sendAsync(...).join()} on its own.
 *
 * <p>Two endpoints, as the {@code endpoint} parameter:
 * <ul>
 *   <li>{@code reference-server}: the reference server embedded in the benchmark JVM, with a Java echo
 *       ({@link EchoHandler} under {@code FunctionMain}) deployed as a warm persistent worker — the realistic
 *       case, and the one the goal (ratio at most 1.10) is about;</li>
 *   <li>{@code in-process-echo}: {@link EchoEndpoint}, a JDK {@code HttpServer} that decodes and echoes in-process,
 *       so that the server's share of each call is as small as it gets and the ratio is as strict as it gets.</li>
 * </ul>
 *
 * <p>Run it with {@code java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.http.ClientOverheadBenchmark}:
 * it runs {@link #alternating} (one call of each, alternating, each timed) and prints the ratio of the time spent
 * in the executor to the time spent in the bare POST, per endpoint, payload size and encoding.
 * {@link ClientOverheadInterleaved} measures the same pairs with alternating calls and medians.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
// The JDK HttpServer leaves Nagle's algorithm on unless told; with it, its two writes per answer wait out the
// client's delayed ACK (about 40 ms per call), which would measure TCP rather than either client.
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m", "-Dsun.net.httpserver.nodelay=true"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClientOverheadBenchmark {
    private static final long JOB_ID = 7;

    /** Where both contenders send their requests. */
    @Param({"reference-server", "in-process-echo"})
    public String endpoint;

    /** Payload size in bytes. */
    @Param({"128", "16384"})
    public int payloadBytes;

    /** How the payload travels: the v1 byte array, or the base64 extension. */
    @Param({"BYTE_ARRAY", "BASE64"})
    public String encoding;

    private AutoCloseable server;
    private Path dataDirectory;
    private HttpFaasExecutor executor;
    private HttpClient bare;
    private JobCall call;
    private HttpRequest bareRequest;

    @Setup(Level.Trial)
    public void start() throws Exception {
        URI base = startEndpoint();
        PayloadEncoding payloadEncoding = PayloadEncoding.valueOf(encoding);
        executor = HttpFaasExecutor.builder(base).payloadEncoding(payloadEncoding).build();
        if (server instanceof ReferenceServer) {
            executor.deploy(JOB_ID, javaEchoWorker(), FaasConfig.builder().keepWarmInstances(1)
                    .providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, "persistent").build()).join();
            executor.warm(JOB_ID).join();
        }
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        byte[] payload = new byte[payloadBytes];
        new Random(7).nextBytes(payload);
        call = JobCall.builder(JOB_ID).body(payload).callId("bench-call").build();
        byte[] json = SpecCodec.create().encodeRequest(InvokeRequest.from(call), payloadEncoding);
        bareRequest = HttpRequest.newBuilder(executor.invokeUri(JOB_ID))
                .header("Content-Type", "application/json")
                .timeout(executor.invokeTimeout(JOB_ID))
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        if (!Arrays.equals(executorInvoke(), payload)) {
            throw new IllegalStateException("the endpoint does not echo");
        }
        HttpResponse<byte[]> check = bare.send(bareRequest, HttpResponse.BodyHandlers.ofByteArray());
        if (check.statusCode() != 200) {
            throw new IllegalStateException("the bare POST got status " + check.statusCode());
        }
    }

    private URI startEndpoint() throws Exception {
        if (endpoint.equals("in-process-echo")) {
            EchoEndpoint echo = new EchoEndpoint();
            server = echo;
            return echo.baseUri();
        }
        dataDirectory = Files.createTempDirectory("faasx-client-overhead");
        ReferenceServer reference = ReferenceServer.builder().port(0).dataDirectory(dataDirectory).build().start();
        server = reference;
        return reference.baseUri();
    }

    /** A bootstrap that runs {@link EchoHandler} with this JVM's java and class path. */
    private static FunctionPackage javaEchoWorker() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return FunctionPackage.bootstrapScript("#!/bin/sh\nexec '" + java + "' -XX:+UseSerialGC -cp '"
                + String.join(File.pathSeparator, entries) + "' " + FunctionMain.class.getName() + " "
                + EchoHandler.class.getName() + "\n");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        executor.close();
        server.close();
        if (dataDirectory != null) {
            try (Stream<Path> files = Files.walk(dataDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** One contender on its own, for its absolute time per call. */
    @Benchmark
    public byte[] executorInvoke() {
        return executor.invoke(call).join().body();
    }

    /** The other contender on its own. */
    @Benchmark
    public byte[] bareHttpClientPost() {
        return bare.sendAsync(bareRequest, HttpResponse.BodyHandlers.ofByteArray()).join().body();
    }

    /** The bare POST through the blocking {@code send()}, which skips the asynchronous API's thread hand-offs. */
    public byte[] bareBlockingSend() throws Exception {
        return bare.send(bareRequest, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    /**
     * Time spent in each contender within {@link #alternating}, summed per iteration; their quotient is the
     * overhead ratio.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PairTimes {
        public long executorNanos;
        public long bareNanos;
        private boolean executorFirst;

        @Setup(Level.Iteration)
        public void reset() {
            executorNanos = 0;
            bareNanos = 0;
        }
    }

    /**
     * One call of each contender, in alternating order, each timed: both meet the same background load, which on
     * a shared machine drifts too much between two separately run benchmarks for their quotient to mean anything.
     */
    @Benchmark
    public void alternating(PairTimes times, Blackhole sink) throws Exception {
        times.executorFirst = !times.executorFirst;
        if (times.executorFirst) {
            long t0 = System.nanoTime();
            sink.consume(executorInvoke());
            long t1 = System.nanoTime();
            sink.consume(bareBlockingSend());
            times.executorNanos += t1 - t0;
            times.bareNanos += System.nanoTime() - t1;
        } else {
            long t0 = System.nanoTime();
            sink.consume(bareBlockingSend());
            long t1 = System.nanoTime();
            sink.consume(executorInvoke());
            times.bareNanos += t1 - t0;
            times.executorNanos += System.nanoTime() - t1;
        }
    }

    /**
     * Runs {@link #alternating} for every endpoint, payload size and encoding and prints the ratio of the time spent
     * in the executor to the time spent in the bare POST.
     */
    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder().include(ClientOverheadBenchmark.class.getName() + "\\.alternating$")
                .build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, String> rows = new TreeMap<>();
        for (RunResult r : results) {
            String key = String.format("%-16s | %13s | %-10s", r.getParams().getParam("endpoint"),
                    r.getParams().getParam("payloadBytes"), r.getParams().getParam("encoding"));
            double executorNanos = r.getSecondaryResults().get("executorNanos").getScore();
            double bareNanos = r.getSecondaryResults().get("bareNanos").getScore();
            double pairMicros = r.getPrimaryResult().getScore();
            rows.put(key, String.format("%s | %14.1f | %.3f%n", key, pairMicros, executorNanos / bareNanos));
        }
        StringBuilder out = new StringBuilder(String.format("%nJDK %s, %d CPUs%n", System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors()));
        out.append("endpoint         | payload bytes | encoding   | µs per pair    | ratio executor / bare\n");
        rows.values().forEach(out::append);
        System.out.println(out);
    }
}
