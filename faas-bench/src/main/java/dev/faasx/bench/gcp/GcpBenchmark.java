package dev.faasx.bench.gcp;

import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.gcp.CloudFunctionsExecutor;
import dev.faasx.gcp.local.LocalCloudFunctions;
import dev.faasx.gcp.local.internal.InvokerLocator;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two measurements on the local Cloud Functions emulator, each within one run so that both sides see the same
 * machine load:
 * <ol>
 *   <li>Warm invocation overhead: the executor's {@code invoke} against a bare authenticated POST of the same invoke
 *       JSON (with an ID token fetched once) to the same running function, interleaved call by call. Goal: median
 *       ratio at most 1.10. A third variant sends the bare POST on another, already running thread and waits for
 *       it: the least an asynchronous API on a blocking {@code send()} costs, which separates that hand-off from
 *       faasx's own work.</li>
 *   <li>Deploy to first result: the executor deploys a never-deployed job (upload, create, the emulator's build and
 *       instance start, the operation poll) and invokes it once; beside it, Google's invoker started bare
 *       ({@code java -jar java-function-invoker.jar} on the same fat JAR, the same JVM options) until its first
 *       answer to the same invoke JSON. Rounds alternate between the two.</li>
 * </ol>
 * Usage: {@code GcpBenchmark [warm calls, default 2000] [deploy rounds, default 5]}.
 */
public final class GcpBenchmark {
    private static final long JOB = 77;
    private static final List<String> JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-Xss512k", "-XX:-UsePerfData");

    private GcpBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        byte[] jar = GcpFunctionJar.echo();
        FunctionPackage.Jar pkg = FunctionPackage.jar(jar, EchoJob.class.getName());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (LocalCloudFunctions gcf = LocalCloudFunctions.start();
             FunctionServiceClient client = FunctionServiceClient.create(FunctionServiceSettings.newBuilder()
                     .setTransportChannelProvider(FixedTransportChannelProvider.create(GrpcTransportChannel.create(
                             ManagedChannelBuilder.forTarget(gcf.grpcTarget()).usePlaintext().build())))
                     .setCredentialsProvider(NoCredentialsProvider.create()).build());
             CloudFunctionsExecutor executor = CloudFunctionsExecutor.builder().projectId("faasx-local")
                     .region("europe-west1").client(client).idTokenProvider(gcf.credentials())
                     .operationPolling(Duration.ofMillis(20), Duration.ofMillis(200)).build()) {
            warm(gcf, executor, pkg, http, calls);
            deployToFirstResult(executor, pkg, jar, http, rounds);
        }
    }

    private static void warm(LocalCloudFunctions gcf, CloudFunctionsExecutor executor, FunctionPackage.Jar pkg,
                             HttpClient http, int calls) throws Exception {
        URI url = executor.deploy(JOB, pkg, FaasConfig.defaults()).join().endpoint().orElseThrow();
        byte[] payload = new byte[64];
        Arrays.fill(payload, (byte) 'x');
        String token = gcf.credentials().idTokenWithAudience(url.toString(), List.of()).getTokenValue();
        HttpRequest bare = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(SpecCodec.create().encodeRequest(
                        InvokeRequest.from(JobCall.of(JOB, payload)), PayloadEncoding.BASE64))).build();
        int warmup = calls / 4;
        java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
        List<String> names = List.of("executor invoke", "bare POST + token, send()",
                "bare POST + token, send() on another thread");
        List<Call> variants = List.of(() -> timeExecutor(executor, payload), () -> timeBare(http, bare),
                () -> timeOnOtherThread(other, http, bare));
        long[][] samples = new long[variants.size()][calls];
        for (int i = 0; i < warmup + calls; i++) {
            for (int k = 0; k < variants.size(); k++) {
                int v = (i + k) % variants.size();
                long t = variants.get(v).time();
                if (i >= warmup) {
                    samples[v][i - warmup] = t;
                }
            }
        }
        other.shutdown();
        executor.undeploy(JOB).join();
        for (long[] sample : samples) {
            Arrays.sort(sample);
        }
        for (int v = 0; v < variants.size(); v++) {
            System.out.printf(Locale.ROOT, "warm invoke, %-44s median %7.0f us  p90 %7.0f us%n", names.get(v),
                    q(samples[v], 0.5) / 1e3, q(samples[v], 0.9) / 1e3);
        }
        System.out.printf(Locale.ROOT, "ratio of medians executor / bare send(): %.3f (goal <= 1.10); executor / bare"
                + " send() on another thread: %.3f; %d calls each, rotating order%n",
                (double) q(samples[0], 0.5) / q(samples[1], 0.5), (double) q(samples[0], 0.5) / q(samples[2], 0.5),
                calls);
    }

    private interface Call {
        long time() throws Exception;
    }

    private static long timeOnOtherThread(java.util.concurrent.ExecutorService thread, HttpClient http,
                                          HttpRequest request) throws Exception {
        long t = System.nanoTime();
        int status = thread.submit(() -> http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode())
                .get();
        if (status != 200) {
            throw new IllegalStateException("unexpected status");
        }
        return System.nanoTime() - t;
    }

    private static void deployToFirstResult(CloudFunctionsExecutor executor, FunctionPackage.Jar pkg, byte[] jar,
                                            HttpClient http, int rounds) throws Exception {
        Path jarFile = Files.createTempFile("faasx-bench-gcp-", ".jar");
        Files.write(jarFile, jar);
        long[] deploys = new long[rounds];
        long[] bareStarts = new long[rounds];
        try {
            for (int r = 0; r < rounds; r++) {
                long job = 1000 + r;
                long t = System.nanoTime();
                executor.deploy(job, pkg, FaasConfig.defaults()).join();
                byte[] out = executor.invoke(JobCall.of(job, new byte[] {1})).join().body();
                deploys[r] = System.nanoTime() - t;
                if (out.length != 1) {
                    throw new IllegalStateException("unexpected answer");
                }
                executor.undeploy(job).join();
                bareStarts[r] = bareInvokerStart(jarFile, http);
            }
        } finally {
            Files.deleteIfExists(jarFile);
        }
        Arrays.sort(deploys);
        Arrays.sort(bareStarts);
        System.out.printf(Locale.ROOT, "deploy -> first result (executor + emulator)  median %6.0f ms  min %6.0f ms"
                + "  max %6.0f ms%n", q(deploys, 0.5) / 1e6, deploys[0] / 1e6, deploys[rounds - 1] / 1e6);
        System.out.printf(Locale.ROOT, "bare invoker start -> first result            median %6.0f ms  min %6.0f ms"
                + "  max %6.0f ms%n", q(bareStarts, 0.5) / 1e6, bareStarts[0] / 1e6, bareStarts[rounds - 1] / 1e6);
        System.out.printf(Locale.ROOT, "rounds: %d, alternating%n", rounds);
    }

    /** Starts Google's invoker on the JAR and times it to its first answer to an invoke request. */
    private static long bareInvokerStart(Path jar, HttpClient http) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.addAll(List.of("-jar", InvokerLocator.locate().toString(), "--classpath", jar.toString(), "--target",
                "dev.faasx.gcp.function.JobHttpFunction", "--port", Integer.toString(port)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("FAASX_HANDLER", EchoJob.class.getName());
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(SpecCodec.create().encodeRequest(
                        InvokeRequest.from(JobCall.of(1, new byte[] {1})), PayloadEncoding.BASE64))).build();
        long t = System.nanoTime();
        Process process = builder.start();
        try {
            long deadline = t + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() == 200) {
                        return System.nanoTime() - t;
                    }
                } catch (IOException notYet) {
                    Thread.sleep(5);
                }
            }
            throw new IllegalStateException("the bare invoker did not answer within 60 s");
        } finally {
            process.destroy();
            process.waitFor();
        }
    }

    private static long timeExecutor(CloudFunctionsExecutor executor, byte[] payload) {
        long t = System.nanoTime();
        if (executor.invoke(JobCall.of(JOB, payload)).join().bodyLength() != payload.length) {
            throw new IllegalStateException("unexpected answer");
        }
        return System.nanoTime() - t;
    }

    private static long timeBare(HttpClient http, HttpRequest request) throws IOException, InterruptedException {
        long t = System.nanoTime();
        if (http.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() != 200) {
            throw new IllegalStateException("unexpected status");
        }
        return System.nanoTime() - t;
    }

    private static long q(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(quantile * sorted.length))];
    }
}
