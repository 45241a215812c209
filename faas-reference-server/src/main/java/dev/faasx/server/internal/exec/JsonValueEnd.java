package dev.faasx.server.internal.exec;

/**
 * Finds where a JSON object or array ends in bytes that arrive piece by piece, by counting brackets outside
 * strings (escapes honoured). It does not validate: it only tells when the value the function is writing is
 * complete, so that its answer can go out without waiting for the process to exit. Output that does not start
 * with {@code {} or {@code [} never ends here; the caller then reads until the end of the stream. Not thread-safe.
 */
final class JsonValueEnd {
    private int depth;
    private boolean started;
    private boolean inString;
    private boolean escaped;
    private boolean unsupported;

    /**
     * Scans {@code bytes[from..to)}; answers the index just after the value's last byte when the value ended
     * there, else -1.
     */
    int scan(byte[] bytes, int from, int to) {
        if (unsupported) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (!started) {
                if (b == '{' || b == '[') {
                    started = true;
                    depth = 1;
                } else if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                    unsupported = true;
                    return -1;
                }
            } else if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
            } else if ((b == '}' || b == ']') && --depth == 0) {
                return i + 1;
            }
        }
        return -1;
    }
}
