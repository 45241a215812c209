package dev.faasx.bench.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.azure.AzureFunctionsExecutor;
import dev.faasx.azure.local.LocalAzure;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * Two figures for Azure Functions on the local emulator, in one run:
 * <ol>
 *   <li><b>invoke overhead</b>: {@code executor.invoke(call).join()} against a bare POST of the same spec request
 *       with the same function key to the same running custom handler (through the emulator's Functions host),
 *       interleaved call by call so that both see the same machine load; medians and p90, and the ratio of the
 *       medians (goal: at most 1.10);</li>
 *   <li><b>deploy to first result</b>: from {@code deploy} (Resource Manager, Kudu zip deploy, keys) to the first
 *       successful answer, which starts the handler's JVM.</li>
 * </ol>
 * <pre>java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.azure.AzureBenchmarks [calls] [deploys]</pre>
 */
public final class AzureBenchmarks {
    private AzureBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        int deploys = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (LocalAzure azure = LocalAzure.builder().build().start();
             AzureFunctionsExecutor executor = AzureBenchSetup.executor(azure)) {
            FunctionPackage.Jar jar = AzureBenchSetup.echoJar();
            deployToFirstResult(executor, jar, deploys);
            invokeOverhead(azure, executor, jar, calls);
        }
    }

    private static void deployToFirstResult(AzureFunctionsExecutor executor, FunctionPackage.Jar jar, int runs) {
        long[] millis = new long[runs];
        for (int i = 0; i < runs; i++) {
            long job = 100 + i;
            long start = System.nanoTime();
            executor.deploy(job, jar, FaasConfig.defaults()).join();
            long deployed = System.nanoTime();
            executor.invoke(JobCall.of(job, new byte[] {1})).join();
            long first = System.nanoTime();
            millis[i] = (first - start) / 1_000_000;
            System.out.printf(Locale.ROOT, "deploy -> first result, run %d: %d ms (deploy %d ms, first call %d ms)%n",
                    i + 1, millis[i], (deployed - start) / 1_000_000, (first - deployed) / 1_000_000);
            executor.undeploy(job).join();
        }
        Arrays.sort(millis);
        System.out.printf(Locale.ROOT, "deploy -> first result: median %d ms over %d runs (%d KiB JAR)%n",
                millis[runs / 2], runs, jar.sizeBytes() / 1024);
    }

    private static void invokeOverhead(LocalAzure azure, AzureFunctionsExecutor executor, FunctionPackage.Jar jar,
                                       int calls) throws Exception {
        long job = 7;
        executor.deploy(job, jar, FaasConfig.defaults()).join();
        String app = executor.appName(job);
        String key = functionKey(azure, app);
        byte[] payload = new byte[64];
        Arrays.fill(payload, (byte) 'x');
        HttpClient bare = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(azure.endpoint() + "/api/job"))
                .timeout(Duration.ofSeconds(30))
                .header("X-Forwarded-Host", app + ".azurewebsites.net")
                .header("x-functions-key", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(SpecCodec.create().encodeRequest(
                        InvokeRequest.from(JobCall.of(job, payload)), PayloadEncoding.BASE64)))
                .build();
        int warmup = calls / 4;
        long[] viaExecutor = new long[calls];
        long[] viaBare = new long[calls];
        for (int i = 0; i < warmup + calls; i++) {
            boolean executorFirst = i % 2 == 0;
            for (int k = 0; k < 2; k++) {
                long t0 = System.nanoTime();
                if (executorFirst == (k == 0)) {
                    executor.invoke(JobCall.of(job, payload)).join();
                    if (i >= warmup) {
                        viaExecutor[i - warmup] = System.nanoTime() - t0;
                    }
                } else {
                    HttpResponse<byte[]> r = bare.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("bare POST answered " + r.statusCode());
                    }
                    if (i >= warmup) {
                        viaBare[i - warmup] = System.nanoTime() - t0;
                    }
                }
            }
        }
        executor.undeploy(job).join();
        Arrays.sort(viaExecutor);
        Arrays.sort(viaBare);
        double e50 = viaExecutor[calls / 2] / 1000.0;
        double b50 = viaBare[calls / 2] / 1000.0;
        System.out.printf(Locale.ROOT, "executor.invoke().join()      median %7.0f us  p90 %7.0f us%n", e50,
                viaExecutor[(int) (calls * 0.9)] / 1000.0);
        System.out.printf(Locale.ROOT, "bare POST with the key, send() median %7.0f us  p90 %7.0f us%n", b50,
                viaBare[(int) (calls * 0.9)] / 1000.0);
        System.out.printf(Locale.ROOT, "median executor / bare POST: %.3f (goal <= 1.10), %d calls each%n", e50 / b50,
                calls);
    }

    private static String functionKey(LocalAzure azure, String app) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> keys = client.send(HttpRequest.newBuilder(URI.create(azure.endpoint()
                        + "/subscriptions/00000000-0000-0000-0000-0000000000be/resourceGroups/bench/providers/"
                        + "Microsoft.Web/sites/" + app + "/functions/job/listkeys?api-version=2024-04-01"))
                .header("Authorization", "Bearer local").header("X-Forwarded-Host", "management.azure.com")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(keys.body()).path("default").asText();
    }
}
