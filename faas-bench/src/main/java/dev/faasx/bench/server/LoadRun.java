package dev.faasx.bench.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * A closed-loop load in the manner of {@code wrk}: {@code clients} keep-alive connections, each sending the same
 * invoke request as soon as the previous answer arrived, multiplexed over one or two selector threads so that the
 * load generator costs little CPU on a machine it shares with the server. (A thread per connection, or the JDK's
 * {@code HttpClient}, would spend more CPU per request than the server under test.) Requests sent during the
 * warm-up are not counted; latencies are kept per request (at most {@value #MAX_SAMPLES} in all) and reduced to
 * percentiles at the end. An answer counts as a success only with status 200 and {@code "success":true}.
 */
final class LoadRun {
    private static final int MAX_SAMPLES = 4_000_000;
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

    /** Runs for {@code warmup} uncounted, then for {@code measure} or until {@code maxRequests} were counted. */
    static Result run(URI base, String path, byte[] body, int clients, Duration warmup, Duration measure,
                      long maxRequests) throws IOException, InterruptedException {
        byte[] request = request(base, path, body);
        int threads = Math.min(clients, Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2)));
        long measureFrom = System.nanoTime() + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        long perThreadMax = Math.max(1, maxRequests == Long.MAX_VALUE ? Long.MAX_VALUE : maxRequests / threads);
        List<Loop> loops = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int connections = clients / threads + (t < clients % threads ? 1 : 0);
            loops.add(new Loop(base, request, connections, measureFrom, end, perThreadMax,
                    (int) Math.min(MAX_SAMPLES / threads, Math.min(perThreadMax, MAX_SAMPLES))));
        }
        List<Thread> running = new ArrayList<>();
        for (Loop loop : loops) {
            Thread thread = new Thread(loop, "load");
            thread.start();
            running.add(thread);
        }
        for (Thread thread : running) {
            thread.join();
        }
        long requests = 0;
        long failures = 0;
        long stoppedAt = measureFrom;
        String firstFailure = null;
        int samples = 0;
        for (Loop loop : loops) {
            requests += loop.counted;
            failures += loop.failures;
            stoppedAt = Math.max(stoppedAt, loop.lastCountedAt);
            samples += loop.samples;
            if (firstFailure == null) {
                firstFailure = loop.firstFailure;
            }
        }
        long[] all = new long[samples];
        int at = 0;
        for (Loop loop : loops) {
            System.arraycopy(loop.latencies, 0, all, at, loop.samples);
            at += loop.samples;
        }
        Arrays.sort(all);
        double seconds = Math.max(1e-9, (Math.min(end, stoppedAt) - measureFrom) / 1e9);
        return new Result(clients, requests, failures, seconds, percentile(all, 0.50), percentile(all, 0.90),
                percentile(all, 0.99), all.length == 0 ? 0 : all[all.length - 1], firstFailure);
    }

    /**
     * Unloaded latency: one client on one keep-alive connection, one request every {@code interval} (so that the
     * server is idle between requests, including replacing the process a v1 call used), {@code warmup} requests
     * uncounted, then {@code count} measured.
     */
    static Result paced(URI base, String path, byte[] body, Duration interval, int warmup, int count)
            throws IOException, InterruptedException {
        long[] latencies = new long[count];
        int samples = 0;
        long failures = 0;
        String firstFailure = null;
        java.util.Map<String, String> headers = java.util.Map.of("Content-Type", "application/json");
        long started = 0;
        try (RawHttpConnection connection = new RawHttpConnection(base)) {
            long next = System.nanoTime();
            for (int i = 0; i < warmup + count; i++) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                next = System.nanoTime() + interval.toNanos();
                if (i == warmup) {
                    started = System.nanoTime();
                }
                long t0 = System.nanoTime();
                RawHttpConnection.Answer answer = connection.send("POST", path, headers, body);
                long micros = (System.nanoTime() - t0) / 1000;
                if (i < warmup) {
                    continue;
                }
                if (answer.status() == 200 && indexOf(answer.body(), answer.body().length, SUCCESS) >= 0) {
                    latencies[samples++] = micros;
                } else {
                    failures++;
                    if (firstFailure == null) {
                        firstFailure = answer.status() + " " + answer.text();
                    }
                }
            }
        }
        long[] sorted = Arrays.copyOf(latencies, samples);
        Arrays.sort(sorted);
        return new Result(1, count, failures, (System.nanoTime() - started) / 1e9, percentile(sorted, 0.50),
                percentile(sorted, 0.90), percentile(sorted, 0.99), samples == 0 ? 0 : sorted[samples - 1],
                firstFailure);
    }

    private static byte[] request(URI base, String path, byte[] body) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(headBytes, headBytes.length + body.length);
        System.arraycopy(body, 0, out, headBytes.length, body.length);
        return out;
    }

    /** The nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** One selector thread driving its share of the connections. */
    private static final class Loop implements Runnable {
        private final URI base;
        private final byte[] request;
        private final int connections;
        private final long measureFrom;
        private final long end;
        private final long maxCounted;
        private final long[] latencies;
        private int samples;
        private long counted;
        private long failures;
        private long lastCountedAt;
        private String firstFailure;

        Loop(URI base, byte[] request, int connections, long measureFrom, long end, long maxCounted,
             int maxSamples) {
            this.base = base;
            this.request = request;
            this.connections = connections;
            this.measureFrom = measureFrom;
            this.end = end;
            this.maxCounted = maxCounted;
            this.latencies = new long[Math.max(1, maxSamples)];
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < connections; i++) {
                    SocketChannel channel = SocketChannel.open(new InetSocketAddress(base.getHost(), base.getPort()));
                    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    channel.configureBlocking(false);
                    Connection connection = new Connection(channel);
                    channel.register(selector, SelectionKey.OP_READ, connection);
                    connection.send(request);
                }
                int open = connections;
                while (open > 0) {
                    selector.select(1000);
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Connection connection = (Connection) key.attachment();
                        int status = connection.read();
                        if (status == 0) {
                            continue;
                        }
                        long now = System.nanoTime();
                        record(connection, status, now);
                        if (status < 0 || now >= end || counted >= maxCounted) {
                            key.cancel();
                            connection.channel.close();
                            open--;
                        } else {
                            connection.send(request);
                        }
                    }
                }
            } catch (IOException e) {
                failures++;
                if (firstFailure == null) {
                    firstFailure = e.toString();
                }
            }
        }

        private void record(Connection connection, int status, long now) {
            if (connection.sentAt < measureFrom || connection.sentAt >= end) {
                return;
            }
            counted++;
            lastCountedAt = now;
            boolean ok = status == 200 && connection.bodyContains(SUCCESS);
            if (!ok) {
                failures++;
                if (firstFailure == null) {
                    firstFailure = status + " " + connection.bodyText();
                }
            } else if (samples < latencies.length) {
                latencies[samples++] = (now - connection.sentAt) / 1000;
            }
        }
    }

    /** One keep-alive connection: writes a request, parses the answer as it arrives. */
    private static final class Connection {
        private final SocketChannel channel;
        private ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        private long sentAt;
        private int bodyStart;
        private int bodyEnd;

        Connection(SocketChannel channel) {
            this.channel = channel;
        }

        void send(byte[] request) throws IOException {
            in.clear();
            sentAt = System.nanoTime();
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
        }

        /** The status once a whole answer arrived, 0 while incomplete, -1 when the connection closed. */
        int read() throws IOException {
            if (!in.hasRemaining()) {
                in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
            }
            if (channel.read(in) < 0) {
                return -1;
            }
            byte[] data = in.array();
            int length = in.position();
            int headersEnd = indexOf(data, length, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (headersEnd < 0) {
                return 0;
            }
            String headers = new String(data, 0, headersEnd, StandardCharsets.US_ASCII);
            int contentLength = contentLength(headers);
            bodyStart = headersEnd + 4;
            bodyEnd = bodyStart + contentLength;
            if (length < bodyEnd) {
                return 0;
            }
            return Integer.parseInt(headers.substring(9, 12));
        }

        boolean bodyContains(byte[] needle) {
            return indexOf(Arrays.copyOfRange(in.array(), bodyStart, bodyEnd), bodyEnd - bodyStart, needle) >= 0;
        }

        String bodyText() {
            return new String(in.array(), bodyStart, bodyEnd - bodyStart, StandardCharsets.UTF_8);
        }

        private static int contentLength(String headers) {
            for (String line : headers.split("\r\n")) {
                if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                    return Integer.parseInt(line.substring(15).trim());
                }
            }
            throw new IllegalStateException("answer without Content-Length: " + headers);
        }
    }

    static int indexOf(byte[] haystack, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
