package dev.faasx.bench.http;

import java.util.Arrays;
import java.util.Locale;

/**
 * The client-overhead comparison of {@link ClientOverheadBenchmark} as interleaved calls, each timed on its own, in
 * rotating order, so that every contender meets the same background load on a shared machine, reported as medians
 * (one stalled call cannot move a median the way it moves a mean). Three contenders: the executor, the bare POST
 * through {@code sendAsync(...).join()}, and the bare POST through the caller's own blocking {@code send()} — the
 * stricter baseline, and the one the goal is measured against (the last column).
 *
 * <pre>
 * java -Dsun.net.httpserver.nodelay=true -cp faas-bench/target/benchmarks.jar \
 *     dev.faasx.bench.http.ClientOverheadInterleaved [calls per contender, default 20000] [endpoint] [payload bytes]
 * </pre>
 */
public final class ClientOverheadInterleaved {
    private ClientOverheadInterleaved() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        System.out.printf(Locale.ROOT, "JDK %s, %d CPUs, %,d calls per contender after %,d warm-up calls%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), calls, calls / 2);
        System.out.println("endpoint         | payload bytes | encoding   | executor p50 µs | bare async p50 µs |"
                + " ratio p50 | ratio mean | bare send p50 | executor / send p50");
        String[] endpoints = args.length > 1 ? new String[] {args[1]}
                : new String[] {"reference-server", "in-process-echo"};
        int[] payloads = args.length > 2 ? new int[] {Integer.parseInt(args[2])} : new int[] {128, 16_384};
        for (String endpoint : endpoints) {
            for (int payload : payloads) {
                measure(endpoint, payload, "BYTE_ARRAY", calls);
                if (payload > 1024) {
                    measure(endpoint, payload, "BASE64", calls);
                }
            }
        }
    }

    private static void measure(String endpoint, int payloadBytes, String encoding, int calls) throws Exception {
        ClientOverheadBenchmark b = new ClientOverheadBenchmark();
        b.endpoint = endpoint;
        b.payloadBytes = payloadBytes;
        b.encoding = encoding;
        b.start();
        try {
            for (int i = 0; i < calls / 2; i++) {
                b.executorInvoke();
                b.bareHttpClientPost();
                b.bareBlockingSend();
            }
            long[][] times = new long[3][calls];
            for (int i = 0; i < calls; i++) {
                for (int k = 0; k < 3; k++) {
                    int contender = (i + k) % 3; // rotate the order, so no contender always goes first
                    times[contender][i] = time(b, contender);
                }
            }
            double e50 = median(times[0]) / 1000.0;
            double a50 = median(times[1]) / 1000.0;
            double s50 = median(times[2]) / 1000.0;
            double eMean = mean(times[0]) / 1000.0;
            double aMean = mean(times[1]) / 1000.0;
            System.out.printf(Locale.ROOT,
                    "%-16s | %13d | %-10s | %15.1f | %16.1f | %9.3f | %10.3f | %13.1f | %18.3f%n",
                    endpoint, payloadBytes, encoding, e50, a50, e50 / a50, eMean / aMean, s50, e50 / s50);
        } finally {
            b.stop();
        }
    }

    private static long time(ClientOverheadBenchmark b, int contender) throws Exception {
        long t0 = System.nanoTime();
        switch (contender) {
            case 0 -> b.executorInvoke();
            case 1 -> b.bareHttpClientPost();
            default -> b.bareBlockingSend();
        }
        return System.nanoTime() - t0;
    }

    private static double median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double mean(long[] values) {
        return Arrays.stream(values).average().orElse(Double.NaN);
    }
}
