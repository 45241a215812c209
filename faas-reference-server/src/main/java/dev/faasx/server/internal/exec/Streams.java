package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Reading a process's output with a cap. */
final class Streams {
    private Streams() {
    }

    /** Everything until the end of {@code in}, or {@code null} as soon as more than {@code max} bytes arrive. */
    static byte[] readUpTo(InputStream in, long max) throws IOException {
        byte[] buffer = new byte[1024];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > max) {
                    return null;
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min(max + 1, (long) buffer.length * 2));
                if (length == buffer.length) {
                    return null;
                }
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                return length > max ? null : Arrays.copyOf(buffer, length);
            }
            length += n;
        }
    }
}
