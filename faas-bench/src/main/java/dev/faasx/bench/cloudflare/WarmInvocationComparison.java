package dev.faasx.bench.cloudflare;

import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.cloudflare.CloudflareWorkersExecutor;
import dev.faasx.cloudflare.CloudflareWorkersExecutorBuilder;
import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.core.FaasConfig;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The warm-invocation comparison of {@link WarmInvocationBenchmark}, measured interleaved so that every variant sees
 * the same machine load (on a shared machine the load drifts during a JMH run, which measures one benchmark after
 * the other). Each round calls the same echo Worker on the same workerd once per variant, in rotating order:
 * <ol>
 *   <li>the executor as built by default;</li>
 *   <li>the executor with {@code invocationThreads(0)}: every invocation through {@code HttpClient.sendAsync};</li>
 *   <li>a bare POST of the same invoke JSON with the JDK client's blocking {@code send};</li>
 *   <li>a bare POST with its asynchronous {@code sendAsync(...).join()};</li>
 *   <li>a bare POST with {@code send()} on another, already running thread, waited for by the caller: the least any
 *       asynchronous API on a blocking {@code send()} can cost (one hand-off there and one back).</li>
 * </ol>
 * The two bare POSTs separate the cost of the JDK client's asynchronous API (which {@code FaasExecutor}'s
 * {@code CompletableFuture} contract needs) from faasx's own work. Reports median and p90 latency per variant and the
 * ratios of the medians to the blocking bare POST.
 */
public final class WarmInvocationComparison {
    private static final long JOB = 43;

    /** One measured variant: its name and its sorted latencies in nanoseconds. */
    record Series(String name, long[] sorted) {
        double micros(double quantile) {
            return sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * sorted.length))] / 1000.0;
        }
    }

    private interface Call {
        long timeOne() throws IOException, InterruptedException;
    }

    private WarmInvocationComparison() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        System.out.print(report(run(calls / 4, calls)));
    }

    static String report(List<Series> series) {
        double bare = series.get(2).micros(0.5);
        StringBuilder sb = new StringBuilder();
        for (Series s : series) {
            sb.append(String.format(Locale.ROOT, "%-44s median %6.0f us  p90 %6.0f us  median / bare send() %.3f%n",
                    s.name(), s.micros(0.5), s.micros(0.9), s.micros(0.5) / bare));
        }
        sb.append(String.format(Locale.ROOT, "calls per variant: %d; goal: executor (default) / bare send() <= 1.10%n",
                series.get(0).sorted().length));
        return sb.toString();
    }

    static List<Series> run(int warmup, int calls) throws IOException, InterruptedException {
        try (LocalWorkersRuntime runtime = LocalWorkersRuntime.builder()
                .workerdBinary(LocalCloudflareSetup.workerd()).build();
             LocalCloudflareApi api = LocalCloudflareApi.builder().runtime(runtime).build();
             CloudflareWorkersExecutor byDefault = executor(api, runtime,
                     CloudflareWorkersExecutorBuilder.DEFAULT_INVOCATION_THREADS);
             CloudflareWorkersExecutor viaSendAsync = executor(api, runtime, 0)) {
            byDefault.deploy(JOB, LocalCloudflareSetup.echoJob(), FaasConfig.defaults()).join();
            byte[] payload = new byte[64];
            Arrays.fill(payload, (byte) 'x');
            URI url = runtime.worker(byDefault.scriptName(JOB)).orElseThrow().url();
            HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(SpecCodec.create().encodeRequest(
                            InvokeRequest.from(JobCall.of(JOB, payload)), PayloadEncoding.BASE64)))
                    .build();
            List<String> names = List.of("executor (default HttpClient)", "executor, invocationThreads(0): sendAsync",
                    "bare POST, send()", "bare POST, sendAsync().join()",
                    "bare POST, send() on another thread");
            ExecutorService sender = Executors.newSingleThreadExecutor();
            List<Call> variants = List.of(
                    () -> timeExecutor(byDefault, payload),
                    () -> timeExecutor(viaSendAsync, payload),
                    () -> time(() -> bare.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode()),
                    () -> time(() -> bare.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).join()
                            .statusCode()),
                    () -> time(() -> onOtherThread(sender, () -> bare.send(request,
                            HttpResponse.BodyHandlers.ofByteArray()).statusCode())));
            long[][] samples = new long[variants.size()][calls];
            for (int i = 0; i < warmup + calls; i++) {
                for (int k = 0; k < variants.size(); k++) {
                    int v = (i + k) % variants.size();
                    long t = variants.get(v).timeOne();
                    if (i >= warmup) {
                        samples[v][i - warmup] = t;
                    }
                }
            }
            byDefault.undeploy(JOB).join();
            sender.shutdown();
            List<Series> out = new ArrayList<>();
            for (int v = 0; v < variants.size(); v++) {
                Arrays.sort(samples[v]);
                out.add(new Series(names.get(v), samples[v]));
            }
            return out;
        }
    }

    private static CloudflareWorkersExecutor executor(LocalCloudflareApi api, LocalWorkersRuntime runtime,
                                                      int invocationThreads) {
        return CloudflareWorkersExecutor.builder()
                .credentials(CloudflareCredentials.fromEnvironment(api.environment()))
                // Compared with a bare POST that carries no secret, so the Worker checks none.
                .withoutInvocationSecret()
                .apiBaseUrl(api.baseUrl())
                .workerUrls(name -> runtime.worker(name).orElseThrow().url())
                .invocationThreads(invocationThreads)
                .build();
    }

    private interface Status {
        int get() throws IOException, InterruptedException;
    }

    private static int onOtherThread(ExecutorService thread, Status call) throws IOException,
            InterruptedException {
        try {
            return thread.submit(call::get).get();
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
    }

    private static long time(Status call) throws IOException, InterruptedException {
        long t = System.nanoTime();
        if (call.get() != 200) {
            throw new IllegalStateException("unexpected status");
        }
        return System.nanoTime() - t;
    }

    private static long timeExecutor(CloudflareWorkersExecutor executor, byte[] payload) {
        long t = System.nanoTime();
        if (executor.invoke(JobCall.of(JOB, payload)).join().bodyLength() != payload.length) {
            throw new IllegalStateException("unexpected answer");
        }
        return System.nanoTime() - t;
    }
}
