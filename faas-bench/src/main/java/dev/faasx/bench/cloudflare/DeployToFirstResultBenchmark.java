package dev.faasx.bench.cloudflare;

import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.cloudflare.CloudflareWorkersExecutor;
import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import java.nio.charset.StandardCharsets;
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
 * From {@code deploy} to the first result, on the local runtime: the executor uploads a new Worker to
 * {@link LocalCloudflareApi} (multipart upload, workerd start, workers.dev switch, readiness poll), then invokes it
 * once through the local workers.dev route. Each shot deploys a job id that was never deployed before; the undeploy
 * is outside the measurement. Goal: at most 200 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 30)
@Fork(1)
public class DeployToFirstResultBenchmark {
    private static final byte[] BODY = "first".getBytes(StandardCharsets.UTF_8);

    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    private CloudflareWorkersExecutor executor;
    private long jobId = 1000;

    @Setup(Level.Trial)
    public void start() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(LocalCloudflareSetup.workerd()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).build();
        executor = CloudflareWorkersExecutor.builder()
                .credentials(CloudflareCredentials.fromEnvironment(api.environment()))
                .apiBaseUrl(api.baseUrl())
                .workerUrlTemplate(api.workerUrlTemplate())
                .build();
    }

    @Setup(Level.Iteration)
    public void nextJob() {
        jobId++;
    }

    @TearDown(Level.Iteration)
    public void undeploy() {
        executor.undeploy(jobId).join();
    }

    @TearDown(Level.Trial)
    public void stop() {
        executor.close();
        api.close();
        runtime.close();
    }

    @Benchmark
    public JobOutput deployThenFirstResult() {
        executor.deploy(jobId, LocalCloudflareSetup.echoJob(), FaasConfig.defaults()).join();
        JobOutput output = executor.invoke(JobCall.of(jobId, BODY)).join();
        if (!Arrays.equals(output.body(), BODY)) {
            throw new IllegalStateException("unexpected answer from the new Worker");
        }
        return output;
    }
}
