package dev.faasx.bench.http;

import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.http.HttpFaasExecutor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * What {@link HttpFaasExecutor} adds to a call: {@code executor.invoke(call)} against a bare
 * {@link HttpClient} POST of the very same request bytes to the very same endpoint, one caller, in one run. The
 * executor's extra work is encoding the request, decoding and checking the answer, and building the result with
 * its metrics; the bare POST only sends pre-encoded bytes and takes the body as it comes.
 *
 * <p>Run it with {@code java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.http.ClientOverheadBenchmark},
 * which prints each score and the ratio executor / bare per payload size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 6, time = 2)
public class ClientOverheadBenchmark {

    /** Payload size in bytes. */
    @Param({"128", "16384"})
    public int payloadBytes;

    private EchoEndpoint endpoint;
    private HttpFaasExecutor executor;
    private HttpClient bare;
    private JobCall call;
    private HttpRequest bareRequest;

    @Setup(Level.Trial)
    public void start() throws Exception {
        endpoint = new EchoEndpoint();
        URI base = endpoint.baseUri();
        executor = HttpFaasExecutor.create(base);
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        byte[] payload = new byte[payloadBytes];
        new Random(7).nextBytes(payload);
        call = JobCall.builder(7).body(payload).callId("bench-call").build();
        byte[] json = SpecCodec.create().encodeRequest(InvokeRequest.from(call), PayloadEncoding.BYTE_ARRAY);
        bareRequest = HttpRequest.newBuilder(executor.invokeUri(7))
                .header("Content-Type", "application/json")
                .timeout(executor.invokeTimeout(7))
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        if (executorInvoke().length != payloadBytes || bareHttpClientPost().length == 0) {
            throw new IllegalStateException("the endpoint does not echo");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.close();
        endpoint.close();
    }

    @Benchmark
    public byte[] executorInvoke() {
        return executor.invoke(call).join().body();
    }

    @Benchmark
    public byte[] bareHttpClientPost() {
        return bare.sendAsync(bareRequest, HttpResponse.BodyHandlers.ofByteArray()).join().body();
    }

    /** Runs both benchmarks and prints the ratio executor / bare for each payload size. */
    public static void main(String[] args) throws RunnerException {
        Options options = new OptionsBuilder().include(ClientOverheadBenchmark.class.getName() + "\\.").build();
        Collection<RunResult> results = new Runner(options).run();
        Map<String, double[]> byPayload = new TreeMap<>();
        for (RunResult r : results) {
            String payload = r.getParams().getParam("payloadBytes");
            boolean isExecutor = r.getParams().getBenchmark().endsWith("executorInvoke");
            double score = r.getPrimaryResult().getScore();
            byPayload.computeIfAbsent(payload, k -> new double[2])[isExecutor ? 0 : 1] = score;
        }
        StringBuilder out = new StringBuilder("\npayload bytes | executor µs/call | bare HttpClient µs/call | ratio\n");
        byPayload.forEach((payload, s) -> out.append(String.format("%13s | %16.1f | %23.1f | %.3f%n",
                payload, s[0], s[1], s[0] / s[1])));
        System.out.println(out);
    }
}
