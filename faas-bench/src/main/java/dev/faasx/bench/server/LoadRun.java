package dev.faasx.bench.server;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load: {@code clients} threads, each on its own keep-alive connection, send the same invoke
 * request back to back. Requests sent during the warm-up are not counted. Latencies are kept per request (at most
 * {@value #MAX_SAMPLES} per client) and reduced to percentiles at the end; an answer counts as a success only with
 * status 200 and {@code "success":true}.
 */
final class LoadRun {
    private static final int MAX_SAMPLES = 2_000_000;
    private static final byte[] SUCCESS = "\"success\":true".getBytes(StandardCharsets.US_ASCII);

    private LoadRun() {
    }

    /** What a run measured. Latencies in microseconds. */
    record Result(int clients, long requests, long failures, double seconds, long p50Micros, long p90Micros,
                  long p99Micros, long maxMicros, String firstFailure) {
        double throughput() {
            return requests / seconds;
        }
    }

    /** Runs for {@code warmup} uncounted, then for {@code measure} (or until {@code maxRequests} were counted). */
    static Result run(URI base, String path, byte[] body, int clients, Duration warmup, Duration measure,
                      long maxRequests) throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        AtomicLong counted = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        int[] sampleCounts = new int[clients];
        String[] firstFailure = new String[1];
        Thread[] threads = new Thread[clients];
        long[] lastCounted = new long[clients];
        for (int i = 0; i < clients; i++) {
            long[] mine = new long[(int) Math.min(MAX_SAMPLES, Math.max(1024, maxRequests / clients * 2))];
            samples.add(mine);
            int index = i;
            threads[i] = new Thread(() -> {
                try (RawHttpConnection connection = new RawHttpConnection(base)) {
                    Map<String, String> headers = Map.of("Content-Type", "application/json");
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end || counted.get() >= maxRequests) {
                            break;
                        }
                        RawHttpConnection.Answer answer = connection.send("POST", path, headers, body);
                        long t1 = System.nanoTime();
                        boolean ok = answer.status() == 200 && contains(answer.body(), SUCCESS);
                        if (t0 >= measureFrom) {
                            counted.incrementAndGet();
                            lastCounted[index] = t1;
                            if (!ok) {
                                failures.incrementAndGet();
                                synchronized (firstFailure) {
                                    if (firstFailure[0] == null) {
                                        firstFailure[0] = answer.status() + " " + answer.text();
                                    }
                                }
                            } else if (sampleCounts[index] < mine.length) {
                                mine[sampleCounts[index]++] = (t1 - t0) / 1000;
                            }
                        }
                    }
                } catch (IOException e) {
                    failures.incrementAndGet();
                    synchronized (firstFailure) {
                        if (firstFailure[0] == null) {
                            firstFailure[0] = e.toString();
                        }
                    }
                }
            }, "load-" + i);
            threads[i].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        long stoppedAt = Arrays.stream(lastCounted).max().orElse(end);
        double seconds = Math.max(1e-9, (Math.min(end, Math.max(stoppedAt, measureFrom)) - measureFrom) / 1e9);
        long[] all = merge(samples, sampleCounts);
        return new Result(clients, counted.get(), failures.get(), seconds, percentile(all, 0.50),
                percentile(all, 0.90), percentile(all, 0.99), all.length == 0 ? 0 : all[all.length - 1],
                firstFailure[0]);
    }

    private static long[] merge(List<long[]> samples, int[] counts) {
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i), 0, all, at, counts[i]);
            at += counts[i];
        }
        Arrays.sort(all);
        return all;
    }

    /** The nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
