package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the last {@code capacity} bytes a process wrote on stderr, for error messages. A short run never needs a
 * thread for this: once the process has exited, what it wrote is read without blocking ({@link #readExited}). A
 * run that lasts longer gets a draining thread ({@link #drain}), so that a process writing more than a pipe holds
 * is never blocked for long.
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

    /**
     * Reads what an exited process left on stderr, without blocking, unless a draining thread already does; then
     * waits briefly for that thread instead.
     */
    void readExited() {
        synchronized (this) {
            if (!started) {
                started = true;
                try {
                    byte[] buffer = new byte[4096];
                    int available;
                    while ((available = stream.available()) > 0) {
                        int n = stream.read(buffer, 0, Math.min(available, buffer.length));
                        if (n <= 0) {
                            break;
                        }
                        append(buffer, n);
                    }
                } catch (IOException e) {
                    // Closed: nothing more to read.
                }
                ended.countDown();
                return;
            }
        }
        awaitEnd(50);
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
