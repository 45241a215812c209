package dev.faasx.bench.http;

import java.util.Arrays;
import java.util.Locale;

/**
 * The client-overhead comparison of {@link ClientOverheadBenchmark} as alternating calls: executor, bare, bare,
 * executor, ... each timed on its own, so that both contenders meet the same background load on a shared machine,
 * and reported as medians (one stalled call cannot move a median the way it moves a mean).
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
        System.out.println("endpoint         | payload bytes | encoding   | executor p50 µs | bare p50 µs | ratio p50"
                + " | executor mean µs | bare mean µs | ratio mean");
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
            }
            long[] executor = new long[calls];
            long[] bare = new long[calls];
            for (int i = 0; i < calls; i++) {
                boolean executorFirst = (i & 1) == 0;
                if (executorFirst) {
                    executor[i] = timeExecutor(b);
                    bare[i] = timeBare(b);
                } else {
                    bare[i] = timeBare(b);
                    executor[i] = timeExecutor(b);
                }
            }
            double e50 = median(executor) / 1000.0;
            double b50 = median(bare) / 1000.0;
            double eMean = mean(executor) / 1000.0;
            double bMean = mean(bare) / 1000.0;
            System.out.printf(Locale.ROOT, "%-16s | %13d | %-10s | %15.1f | %11.1f | %9.3f | %16.1f | %12.1f | %10.3f%n",
                    endpoint, payloadBytes, encoding, e50, b50, e50 / b50, eMean, bMean, eMean / bMean);
        } finally {
            b.stop();
        }
    }

    private static long timeExecutor(ClientOverheadBenchmark b) {
        long t0 = System.nanoTime();
        b.executorInvoke();
        return System.nanoTime() - t0;
    }

    private static long timeBare(ClientOverheadBenchmark b) {
        long t0 = System.nanoTime();
        b.bareHttpClientPost();
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
