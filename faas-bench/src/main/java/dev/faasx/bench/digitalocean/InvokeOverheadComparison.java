package dev.faasx.bench.digitalocean;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.digitalocean.DigitalOceanFunctionsExecutor;
import dev.faasx.digitalocean.local.LocalDigitalOcean;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The DigitalOcean executor's invoke overhead against a bare authenticated blocking POST to the same action, on the
 * local emulator, measured interleaved (one call of each per round, alternating order) so that both see the same
 * machine load. The action is a python source bundle that echoes the invoke JSON's payload, so that the action itself
 * costs little and the client's work shows: the executor encodes the call, checks the 1 MB limit, sends on its own
 * threads, reads the activation record and decodes the answer; the bare POST sends the same bytes with
 * {@code HttpClient.send} and checks only the status. A third variant makes the same bare {@code send()} on another,
 * already running thread while the caller waits: the floor of any asynchronous API (one hand-off there, one back),
 * which the executor's {@code CompletableFuture} contract needs. Prints median and p90 per variant and the ratios.
 *
 * <pre>
 * ./mvnw -B -q -pl faas-bench -am -DskipTests package
 * java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.digitalocean.InvokeOverheadComparison 2000
 * </pre>
 */
public final class InvokeOverheadComparison {
    private static final long JOB = 77;
    private static final String ECHO = "def main(args):\n"
            + "    return {'job_id': args['job_id'], 'result_base64': args.get('args_base64', ''), 'success': True}\n";

    private InvokeOverheadComparison() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int warmup = Math.max(100, calls / 4);
        try (LocalDigitalOcean local = LocalDigitalOcean.builder().invocationsPerMinute(10_000_000).build();
             DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
                     .apiBaseUrl(local.baseUrl()).token(local.token()).build()) {
            executor.deploy(JOB, FunctionPackage.sourceBundle(zip(), "python:3.11", "main"),
                    FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(30)).build()).join();
            byte[] payload = new byte[64];
            Arrays.fill(payload, (byte) 'x');
            String namespace = executor.namespace().join();
            LocalDigitalOcean.LocalNamespace ns = credentials(local, namespace);
            HttpClient bare = HttpClient.newHttpClient();
            HttpRequest request = HttpRequest.newBuilder(URI.create(ns.apiHost() + "/api/v1/namespaces/_/actions/"
                            + executor.actionName(JOB) + "?blocking=true"))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            ns.auth().getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(SpecCodec.create().encodeRequest(
                            InvokeRequest.from(JobCall.of(JOB, payload)), PayloadEncoding.BASE64)))
                    .build();
            ExecutorService sender = Executors.newSingleThreadExecutor();
            long[][] samples = new long[3][calls];
            for (int i = 0; i < warmup + calls; i++) {
                for (int k = 0; k < 3; k++) {
                    int v = (i + k) % 3;
                    long t = switch (v) {
                        case 0 -> timeExecutor(executor, payload);
                        case 1 -> timeBare(bare, request);
                        default -> timeOnOtherThread(sender, bare, request);
                    };
                    if (i >= warmup) {
                        samples[v][i - warmup] = t;
                    }
                }
            }
            sender.shutdown();
            executor.undeploy(JOB).join();
            long[] viaExecutor = samples[0];
            long[] viaBare = samples[1];
            long[] viaOther = samples[2];
            Arrays.sort(viaExecutor);
            Arrays.sort(viaBare);
            Arrays.sort(viaOther);
            double ratio = (double) quantile(viaExecutor, 0.5) / quantile(viaBare, 0.5);
            System.out.printf(Locale.ROOT, "executor.invokeWithMetrics      median %7.0f us  p90 %7.0f us%n",
                    quantile(viaExecutor, 0.5) / 1000.0, quantile(viaExecutor, 0.9) / 1000.0);
            System.out.printf(Locale.ROOT, "bare blocking POST, send()      median %7.0f us  p90 %7.0f us%n",
                    quantile(viaBare, 0.5) / 1000.0, quantile(viaBare, 0.9) / 1000.0);
            System.out.printf(Locale.ROOT, "bare POST, send() on another thread  median %7.0f us  p90 %7.0f us"
                    + "  (the floor of any asynchronous API: %.3f)%n", quantile(viaOther, 0.5) / 1000.0,
                    quantile(viaOther, 0.9) / 1000.0, (double) quantile(viaOther, 0.5) / quantile(viaBare, 0.5));
            System.out.printf(Locale.ROOT, "calls per variant: %d; median executor / bare = %.3f (goal <= 1.10)%n",
                    calls, ratio);
        }
    }

    /** The namespace's credentials: the emulator made them, and the benchmark may read them back. */
    private static LocalDigitalOcean.LocalNamespace credentials(LocalDigitalOcean local, String namespace)
            throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(local.baseUrl()
                + "/v2/functions/namespaces/" + namespace)).header("Authorization", "Bearer " + local.token())
                .build(), HttpResponse.BodyHandlers.ofString());
        var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body()).path("namespace");
        return new LocalDigitalOcean.LocalNamespace(namespace, URI.create(n.path("api_host").asText()),
                n.path("uuid").asText(), n.path("key").asText());
    }

    private static long quantile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
    }

    private static long timeExecutor(DigitalOceanFunctionsExecutor executor, byte[] payload) {
        long t = System.nanoTime();
        if (executor.invokeWithMetrics(JobCall.of(JOB, payload)).join().output().bodyLength() != payload.length) {
            throw new IllegalStateException("unexpected answer");
        }
        return System.nanoTime() - t;
    }

    private static long timeBare(HttpClient client, HttpRequest request) throws IOException, InterruptedException {
        long t = System.nanoTime();
        if (client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode() != 200) {
            throw new IllegalStateException("unexpected status");
        }
        return System.nanoTime() - t;
    }

    private static long timeOnOtherThread(ExecutorService thread, HttpClient client, HttpRequest request)
            throws IOException, InterruptedException {
        long t = System.nanoTime();
        try {
            if (thread.submit(() -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()).statusCode())
                    .get() != 200) {
                throw new IllegalStateException("unexpected status");
            }
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        return System.nanoTime() - t;
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry("__main__.py"));
            z.write(ECHO.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        return out.toByteArray();
    }
}
