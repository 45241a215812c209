package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads newline-terminated lines of bytes from a worker's stdout, refusing lines longer than a limit. Not
 * thread-safe: one caller at a time.
 */
final class LineReader {
    private final InputStream in;
    private byte[] buffer = new byte[8192];
    private int start;
    private int end;

    LineReader(InputStream in) {
        this.in = in;
    }

    /** Thrown when a line exceeds the limit; the rest of it is left unread. */
    static final class LineTooLongException extends IOException {
        private static final long serialVersionUID = 1L;

        LineTooLongException(long limit) {
            super("line longer than " + limit + " bytes", null);
        }
    }

    /**
     * The next line without its {@code \n} (a trailing {@code \r} is dropped too), or {@code null} at the end of the
     * stream; a last line without a newline counts as a line.
     */
    byte[] readLine(long maxBytes) throws IOException {
        if (start == end) {
            start = 0;
            end = 0;
        }
        int scanned = start;
        while (true) {
            for (int i = scanned; i < end; i++) {
                if (buffer[i] == '\n') {
                    int stop = i > start && buffer[i - 1] == '\r' ? i - 1 : i;
                    byte[] line = Arrays.copyOfRange(buffer, start, stop);
                    start = i + 1;
                    return line;
                }
            }
            if (end - start > maxBytes) {
                throw new LineTooLongException(maxBytes);
            }
            scanned = end;
            if (end == buffer.length) {
                compactOrGrow();
                scanned = end;
            }
            int n = in.read(buffer, end, buffer.length - end);
            if (n < 0) {
                if (end == start) {
                    return null;
                }
                byte[] last = Arrays.copyOfRange(buffer, start, end);
                start = end;
                return last;
            }
            end += n;
        }
    }

    private void compactOrGrow() {
        int used = end - start;
        byte[] target = used * 2 < buffer.length ? buffer : new byte[buffer.length * 2];
        System.arraycopy(buffer, start, target, 0, used);
        buffer = target;
        start = 0;
        end = used;
    }
}
