package dev.faasx.core.function.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a byte stream into lines ({@code \n} or {@code \r\n}) without decoding characters: a request line is JSON
 * in UTF-8, and JSON never holds a raw line feed inside a value. Not thread-safe.
 */
public final class RequestLines {
    private final InputStream in;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;
    private boolean eof;

    public RequestLines(InputStream in) {
        this.in = in;
    }

    /** The next line without its terminator, or {@code null} once the stream has ended. */
    public byte[] next() throws IOException {
        byte[] line = new byte[256];
        int length = 0;
        while (true) {
            if (position == limit) {
                if (eof || !fill()) {
                    return length == 0 ? null : trim(line, length);
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            int chunk = position - start;
            if (length + chunk > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + chunk));
            }
            System.arraycopy(buffer, start, line, length, chunk);
            length += chunk;
            if (position < limit) {
                position++;
                return trim(line, length);
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer);
        if (n <= 0) {
            eof = n < 0;
            if (n == 0) {
                // A stream that returns 0 for a non-empty buffer breaks its contract; treat it as ended.
                eof = true;
            }
            return false;
        }
        position = 0;
        limit = n;
        return true;
    }

    private static byte[] trim(byte[] line, int length) {
        int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
        return Arrays.copyOf(line, end);
    }
}
