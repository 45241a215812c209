package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Drains a process's stderr so that it never blocks on a full pipe, keeping only the last {@code capacity} bytes
 * for error messages. Started when the process begins work; a pre-spawned process waiting for its request is not
 * drained yet.
 *
 * <p>Thread-safe: one thread drains, any thread may read the tail.
 */
final class StderrTail {
    private final InputStream stream;
    private final byte[] ring;
    private final CountDownLatch ended = new CountDownLatch(1);
    private long total;
    private boolean started;

    StderrTail(InputStream stream, int capacity) {
        this.stream = stream;
        this.ring = new byte[Math.max(1, capacity)];
    }

    /** Starts draining on {@code executor}; idempotent. */
    void drain(Executor executor) {
        synchronized (this) {
            if (started) {
                return;
            }
            started = true;
        }
        executor.execute(this::run);
    }

    private void run() {
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = stream.read(buffer)) > 0) {
                append(buffer, n);
            }
        } catch (IOException e) {
            // The process is gone or the stream was closed: what was read so far is the tail.
        } finally {
            ended.countDown();
        }
    }

    private synchronized void append(byte[] data, int n) {
        for (int i = 0; i < n; i++) {
            ring[(int) (total++ % ring.length)] = data[i];
        }
    }

    /** Waits up to {@code millis} for stderr to reach its end; true when it did. */
    boolean awaitEnd(long millis) {
        try {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * The last bytes written (at most {@code maxChars} characters), as printable text: control characters other
     * than newline and tab become '?'. Empty when the process wrote nothing.
     */
    synchronized String text(int maxChars) {
        int kept = (int) Math.min(total, ring.length);
        byte[] bytes = new byte[kept];
        long start = total - kept;
        for (int i = 0; i < kept; i++) {
            bytes[i] = ring[(int) ((start + i) % ring.length)];
        }
        String s = new String(bytes, StandardCharsets.UTF_8).strip();
        if (s.length() > maxChars) {
            s = "..." + s.substring(s.length() - maxChars);
        }
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> out.appendCodePoint(c < 0x20 && c != '\n' && c != '\t' ? '?' : c));
        return out.toString();
    }
}
