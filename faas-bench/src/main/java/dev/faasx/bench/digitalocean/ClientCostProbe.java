package dev.faasx.bench.digitalocean;

import com.sun.net.httpserver.HttpServer;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobCall;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.digitalocean.DigitalOceanFunctionsExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The client side of {@link InvokeOverheadComparison} without an action behind it: a JDK server on loopback answers
 * the namespaces API and every invocation with the same fixed activation record, so that the client's own costs
 * are what differ. Three variants, interleaved: the executor's {@code invokeWithMetrics(...).join()}, core's
 * {@link HttpTransport#sendInvocation} of the same bytes (the hand-off to a sending thread and back), and a bare
 * blocking {@code HttpClient.send}. Prints the medians.
 *
 * <pre>
 * java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.digitalocean.ClientCostProbe 20000
 * </pre>
 */
public final class ClientCostProbe {
    private static final long JOB = 77;

    private ClientCostProbe() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        byte[] namespaces = ("{\"namespaces\":[{\"api_host\":\"" + base + "\",\"namespace\":\"fn-1\",\"label\":"
                + "\"faasx\",\"region\":\"nyc1\",\"uuid\":\"u\",\"key\":\"k\"}]}").getBytes(StandardCharsets.UTF_8);
        byte[] record = ("{\"activationId\":\"0123456789abcdef0123456789abcdef\",\"duration\":1,\"response\":"
                + "{\"status\":\"success\",\"statusCode\":0,\"success\":true,\"result\":{\"job_id\":" + JOB
                + ",\"result_base64\":\"eHh4\",\"success\":true}},\"annotations\":[{\"key\":\"waitTime\","
                + "\"value\":0},{\"key\":\"limits\",\"value\":{\"memory\":256}}],\"logs\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] body = exchange.getRequestURI().getPath().startsWith("/v2") ? namespaces : record;
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        ExecutorService serverThreads = Executors.newFixedThreadPool(4);
        server.setExecutor(serverThreads);
        server.start();
        byte[] payload = "xxx".getBytes(StandardCharsets.UTF_8);
        URI action = URI.create(base + "/api/v1/namespaces/_/actions/faasx-job-" + JOB + "?blocking=true");
        String auth = "Basic dTpr";
        SpecCodec codec = SpecCodec.create();
        HttpClient bare = HttpClient.newHttpClient();
        HttpRequest request = HttpRequest.newBuilder(action).header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofByteArray(codec.encodeRequest(InvokeRequest.from(
                        JobCall.of(JOB, payload)), PayloadEncoding.BASE64))).build();
        try (DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
                .apiBaseUrl(URI.create(base)).token("t").build();
             HttpTransport transport = HttpTransport.builder("digitalocean").build()) {
            executor.namespace().join();
            long[][] samples = new long[3][calls];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < calls; i++) {
                    for (int k = 0; k < 3; k++) {
                        int v = (i + k) % 3;
                        long t = System.nanoTime();
                        switch (v) {
                            case 0 -> executor.invokeWithMetrics(JobCall.of(JOB, payload)).join();
                            case 1 -> transport.sendInvocation(HttpRequest.newBuilder(action)
                                    .header("Authorization", auth).POST(HttpRequest.BodyPublishers.ofByteArray(
                                            codec.encodeRequest(InvokeRequest.from(JobCall.of(JOB, payload)),
                                                    PayloadEncoding.BASE64))), Duration.ofSeconds(60),
                                    ErrorContext.of("bench"), "invoke").join();
                            default -> send(bare, request);
                        }
                        samples[v][i] = System.nanoTime() - t;
                    }
                }
            }
            for (long[] s : samples) {
                Arrays.sort(s);
            }
            double executorUs = samples[0][calls / 2] / 1000.0;
            double transportUs = samples[1][calls / 2] / 1000.0;
            double bareUs = samples[2][calls / 2] / 1000.0;
            System.out.printf(Locale.ROOT, "medians over %d calls each: executor %.1f us, transport.sendInvocation"
                    + " %.1f us, bare send() %.1f us; executor - transport = %.1f us, transport - bare = %.1f us%n",
                    calls, executorUs, transportUs, bareUs, executorUs - transportUs, transportUs - bareUs);
        } finally {
            server.stop(0);
            serverThreads.shutdownNow();
        }
    }

    private static void send(HttpClient client, HttpRequest request) {
        try {
            client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
