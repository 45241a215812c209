package dev.faasx.core.spec.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A fast path for the spec v1 payload arrays ({@code "args":[104,105]}, {@code "result":[...]}): finds the one
 * top-level field of that name in a message's raw bytes and reads its array of integers 0-255 directly, leaving the
 * rest of the message — with the array emptied to {@code []} — to Jackson. Jackson's general tokenizer spends about
 * 20 ns on every element, which for a 16 KiB payload is most of the cost of decoding the message.
 *
 * <p>It only ever answers for a message it is sure about: the field appears once, at the top level of an object,
 * spelled without escapes, and its array holds nothing but integers 0-255 written the JSON way (no leading zeros,
 * signs, fractions or exponents), separated by commas and whitespace. Anything else — including every malformed
 * message — gets {@code null}, and the caller decodes the message as it stands, so errors are reported exactly as
 * without this path. Stateless and thread-safe.
 */
final class PayloadArrays {
    /** Messages shorter than this are decoded as they are: the scan would cost more than it saves. */
    static final int MIN_MESSAGE_BYTES = 2048;

    private PayloadArrays() {
    }

    /**
     * The payload array's bytes, and the message with that array emptied.
     *
     * @param payload the array's elements
     * @param rest    the whole message with the array written as {@code []}
     */
    record Split(byte[] payload, byte[] rest) {
    }

    /** Splits {@code json} at the top-level array field {@code field}, or answers {@code null} (see the class). */
    static Split split(byte[] json, String field) {
        byte[] key = ("\"" + field + "\"").getBytes(StandardCharsets.US_ASCII);
        int n = json.length;
        int i = skipWhitespace(json, 0);
        if (i >= n || json[i] != '{') {
            return null;
        }
        int depth = 0;
        int arrayStart = -1;
        int arrayEnd = -1;
        byte[] payload = null;
        while (i < n) {
            byte b = json[i];
            if (b == '"') {
                int start = i;
                i = afterString(json, i);
                if (i < 0) {
                    return null;
                }
                int colon = skipWhitespace(json, i);
                if (depth == 1 && colon < n && json[colon] == ':' && matches(json, start, i, key)) {
                    if (payload != null) {
                        return null; // the field twice: the ordinary path reports it
                    }
                    int open = skipWhitespace(json, colon + 1);
                    if (open >= n || json[open] != '[') {
                        return null;
                    }
                    Parsed parsed = readArray(json, open);
                    if (parsed == null) {
                        return null;
                    }
                    payload = parsed.bytes;
                    arrayStart = open;
                    arrayEnd = parsed.end;
                    i = parsed.end;
                }
                continue;
            }
            if (b == '{' || b == '[') {
                depth++;
            } else if (b == '}' || b == ']') {
                if (--depth == 0) {
                    break;
                }
            }
            i++;
        }
        if (payload == null) {
            return null;
        }
        byte[] rest = new byte[n - (arrayEnd - arrayStart) + 2];
        System.arraycopy(json, 0, rest, 0, arrayStart);
        rest[arrayStart] = '[';
        rest[arrayStart + 1] = ']';
        System.arraycopy(json, arrayEnd, rest, arrayStart + 2, n - arrayEnd);
        return new Split(payload, rest);
    }

    private record Parsed(byte[] bytes, int end) {
    }

    /** Reads the array opening at {@code open}; {@code null} unless it is integers 0-255 and nothing else. */
    private static Parsed readArray(byte[] json, int open) {
        int n = json.length;
        // Each element takes at least two characters ("7,"): this never needs to grow.
        byte[] out = new byte[(n - open) / 2 + 1];
        int count = 0;
        int i = skipWhitespace(json, open + 1);
        if (i < n && json[i] == ']') {
            return new Parsed(new byte[0], i + 1);
        }
        while (i < n) {
            int first = json[i] - '0';
            if (first < 0 || first > 9) {
                return null;
            }
            int value = first;
            int digits = 1;
            i++;
            while (i < n && json[i] >= '0' && json[i] <= '9') {
                if (first == 0 || ++digits > 3) {
                    return null; // a leading zero, or more than 255 for sure
                }
                value = value * 10 + (json[i] - '0');
                i++;
            }
            if (value > 255) {
                return null;
            }
            out[count++] = (byte) value;
            i = skipWhitespace(json, i);
            if (i >= n) {
                return null;
            }
            if (json[i] == ']') {
                return new Parsed(Arrays.copyOf(out, count), i + 1);
            }
            if (json[i] != ',') {
                return null;
            }
            i = skipWhitespace(json, i + 1);
        }
        return null;
    }

    /** The index just after the string opening at {@code quote}, or -1 when it does not end. */
    private static int afterString(byte[] json, int quote) {
        for (int i = quote + 1; i < json.length; i++) {
            if (json[i] == '\\') {
                i++;
            } else if (json[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] json, int from, int to, byte[] key) {
        return to - from == key.length && Arrays.equals(json, from, to, key, 0, key.length);
    }

    private static int skipWhitespace(byte[] json, int i) {
        while (i < json.length && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) {
            i++;
        }
        return i;
    }
}
