package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.faasx.core.spec.PayloadEncoding;
import java.io.IOException;
import java.util.Arrays;

/**
 * The payload of one invoke message, read from either of its two fields ({@code args} / {@code args_base64}, or
 * {@code result} / {@code result_base64}), never both. Not thread-safe: one instance per message.
 */
final class PayloadField {
    /** Standard alphabet (RFC 4648 section 4), no line feeds; the trailing '=' padding may be left out. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);

    private final String arrayField;
    private final String base64Field;
    private final int sizeHint;
    private final byte[] presetArray;
    private byte[] bytes;
    private PayloadEncoding encoding = PayloadEncoding.BYTE_ARRAY;

    /**
     * @param presetArray the array field's elements when {@link PayloadArrays} has already read them (the message
     *                    then holds {@code []} in their place), else {@code null}
     */
    PayloadField(String arrayField, String base64Field, int messageLength, byte[] presetArray) {
        this.arrayField = arrayField;
        this.base64Field = base64Field;
        this.presetArray = presetArray;
        // Each byte takes 2 to 4 characters in the array form; start near the likely size to grow at most once.
        this.sizeHint = Math.max(64, messageLength / 4);
    }

    /** The bytes read, or {@code null} when neither field was present. */
    byte[] bytes() {
        return bytes;
    }

    PayloadEncoding encoding() {
        return encoding;
    }

    void readArray(JsonParser p, JsonToken value, MessageReading in, int bit) throws IOException {
        in.enter(arrayField, bit);
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            throw in.wrongType("an array of integers 0-255", value);
        }
        checkNotBoth(in);
        byte[] read = readByteArray(p, in);
        bytes = presetArray != null ? presetArray : read;
        encoding = PayloadEncoding.BYTE_ARRAY;
    }

    void readBase64(JsonParser p, JsonToken value, MessageReading in, int bit) throws IOException {
        in.enter(base64Field, bit);
        if (value == JsonToken.VALUE_NULL) {
            return;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw in.wrongType("a base64 string", value);
        }
        checkNotBoth(in);
        try {
            // Decoded straight from the parser's buffer: no intermediate String of the whole payload.
            bytes = p.getBinaryValue(BASE64);
        } catch (StreamReadException e) {
            throw in.fail(base64Field + " is not valid base64: " + MessageReading.shorten(e.getOriginalMessage()));
        }
        encoding = PayloadEncoding.BASE64;
    }

    void requireOne(MessageReading in) {
        if (bytes == null) {
            throw in.fail(arrayField + " (or " + base64Field + ") is required");
        }
    }

    private void checkNotBoth(MessageReading in) {
        if (bytes != null) {
            throw in.fail("both " + arrayField + " and " + base64Field + " are present; send exactly one");
        }
    }

    /** Reads the elements of the array the parser has just entered, each an integer 0-255. */
    private byte[] readByteArray(JsonParser p, MessageReading in) throws IOException {
        byte[] buf = new byte[sizeHint];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_NUMBER_INT) {
                if (t == null) {
                    throw in.fail("truncated JSON: the input ends inside " + arrayField);
                }
                throw in.fail(arrayField + "[" + n + "] must be an integer 0-255, was " + MessageReading.describe(t));
            }
            int v = byteValue(p);
            if (v < 0) {
                throw in.fail(arrayField + "[" + n + "] must be an integer 0-255, was "
                        + MessageReading.shorten(p.getText()));
            }
            if (n == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            buf[n++] = (byte) v;
        }
        return n == buf.length ? buf : Arrays.copyOf(buf, n);
    }

    /**
     * The value of the integer token the parser is on when it is 0-255, else -1. Reads the token's digits in place:
     * far cheaper than Jackson's general number conversion, which matters at millions of elements per payload.
     */
    private static int byteValue(JsonParser p) throws IOException {
        int length = p.getTextLength();
        if (length > 3) {
            return -1;
        }
        char[] text = p.getTextCharacters();
        int offset = p.getTextOffset();
        int v = 0;
        for (int i = 0; i < length; i++) {
            int digit = text[offset + i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            v = v * 10 + digit;
        }
        return v <= 255 ? v : -1;
    }
}
