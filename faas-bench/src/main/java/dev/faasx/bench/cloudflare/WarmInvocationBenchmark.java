package dev.faasx.bench.cloudflare;

import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.cloudflare.CloudflareWorkersExecutor;
import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A warm invocation through {@link CloudflareWorkersExecutor} against the local runtime, next to a bare HTTP POST of
 * the same invoke JSON to the same workerd: the difference is what the executor adds (encoding, the request id,
 * decoding, metrics). Both go straight to the Worker's workerd port; the Worker is an echo job deployed through
 * {@link LocalCloudflareApi}. Goal: executor / bare POST at most 1.10.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(1)
public class WarmInvocationBenchmark {
    private static final long JOB = 42;

    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    private CloudflareWorkersExecutor executor;
    private HttpClient bare;
    private HttpRequest bareRequest;
    private byte[] payload;

    @Setup(Level.Trial)
    public void deploy() throws IOException, InterruptedException {
        runtime = LocalWorkersRuntime.builder().workerdBinary(LocalCloudflareSetup.workerd()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).build();
        String script = "faasx-job-" + JOB;
        executor = CloudflareWorkersExecutor.builder()
                .credentials(CloudflareCredentials.fromEnvironment(api.environment()))
                // Compared with a bare POST that carries no secret, so the Worker checks none.
                .withoutInvocationSecret()
                .apiBaseUrl(api.baseUrl())
                .workerUrls(name -> runtime.worker(name).orElseThrow().url())
                .build();
        executor.deploy(JOB, LocalCloudflareSetup.echoJob(), FaasConfig.defaults()).join();
        payload = new byte[64];
        Arrays.fill(payload, (byte) 'x');
        URI url = runtime.worker(script).orElseThrow().url();
        bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] body = SpecCodec.create().encodeRequest(InvokeRequest.from(JobCall.of(JOB, payload)),
                PayloadEncoding.BASE64);
        bareRequest = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        if (barePost().statusCode() != 200 || executorInvoke().output().bodyLength() != payload.length) {
            throw new IllegalStateException("the echo Worker does not answer as expected");
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.undeploy(JOB).join();
        executor.close();
        api.close();
        runtime.close();
    }

    @Benchmark
    public Invocation executorInvoke() {
        return executor.invokeWithMetrics(JobCall.of(JOB, payload)).join();
    }

    @Benchmark
    public HttpResponse<byte[]> barePost() throws IOException, InterruptedException {
        return bare.send(bareRequest, HttpResponse.BodyHandlers.ofByteArray());
    }
}
