package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decodes invoke requests and responses with Jackson's streaming parser: byte arrays are read token by token into a
 * growing {@code byte[]}, never through a {@code List<Integer>}, or, in messages of at least 2 KiB, by
 * {@link PayloadArrays} straight from the raw bytes. Unknown fields are skipped. Thread-safe.
 */
public final class InvokeReader {
    private static final int JOB_ID = 1;
    private static final int PAYLOAD = 1 << 1;
    private static final int PAYLOAD_BASE64 = 1 << 2;
    private static final int CALL_ID = 1 << 3;
    private static final int METADATA = 1 << 4;
    private static final int SUCCESS = 1 << 5;
    private static final int ERROR = 1 << 6;
    private static final int ERROR_TYPE = 1 << 7;
    private static final int EXECUTION_MS = 1 << 8;
    private static final int MEMORY_USED_MB = 1 << 9;
    private static final int COLD_START = 1 << 10;
    private static final int INIT_MS = 1 << 11;

    private final JsonFactory factory;
    private final int fastPathMinBytes;

    public InvokeReader(JsonFactory factory) {
        this(factory, PayloadArrays.MIN_MESSAGE_BYTES);
    }

    /** @param fastPathMinBytes messages at least this long have their payload array read by {@link PayloadArrays} */
    InvokeReader(JsonFactory factory, int fastPathMinBytes) {
        this.factory = factory;
        this.fastPathMinBytes = fastPathMinBytes;
    }

    private PayloadArrays.Split split(byte[] json, String arrayField) {
        return json.length >= fastPathMinBytes ? PayloadArrays.split(json, arrayField) : null;
    }

    public Decoded<InvokeRequest> readRequest(byte[] json, ErrorContext context) {
        PayloadArrays.Split split = split(json, "args");
        if (split != null) {
            try {
                return readRequest(json, split, context);
            } catch (ProtocolException e) {
                // Reported as the message itself gives it (positions in the emptied copy would be off).
            }
        }
        return readRequest(json, null, context);
    }

    private Decoded<InvokeRequest> readRequest(byte[] json, PayloadArrays.Split split, ErrorContext context) {
        MessageReading in = new MessageReading("invalid invoke request", false, context);
        Long jobId = null;
        PayloadField payload = new PayloadField("args", "args_base64", json.length,
                split == null ? null : split.payload());
        String callId = null;
        Map<String, String> metadata = Map.of();
        try (JsonParser p = factory.createParser(split == null ? json : split.rest())) {
            startObject(p, in);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "job_id" -> {
                        in.enter(name, JOB_ID);
                        jobId = readJobId(p, value, in);
                    }
                    case "args" -> payload.readArray(p, value, in, PAYLOAD);
                    case "args_base64" -> payload.readBase64(p, value, in, PAYLOAD_BASE64);
                    case "call_id" -> {
                        in.enter(name, CALL_ID);
                        callId = readCallId(p, value, in);
                    }
                    case "metadata" -> {
                        in.enter(name, METADATA);
                        metadata = readStringMap(p, value, in);
                    }
                    default -> p.skipChildren();
                }
                in.leave();
            }
            endDocument(p, in);
        } catch (IOException e) {
            throw in.malformed(e);
        }
        if (jobId == null) {
            throw in.fail("job_id is required");
        }
        payload.requireOne(in);
        InvokeRequest request = new InvokeRequest(jobId, payload.bytes(), Optional.ofNullable(callId), metadata);
        return new Decoded<>(request, payload.encoding());
    }

    public Decoded<InvokeResponse> readResponse(byte[] json, ErrorContext context) {
        PayloadArrays.Split split = split(json, "result");
        if (split != null) {
            try {
                return readResponse(json, split, context);
            } catch (ProtocolException e) {
                // Reported as the message itself gives it (positions in the emptied copy would be off).
            }
        }
        return readResponse(json, null, context);
    }

    private Decoded<InvokeResponse> readResponse(byte[] json, PayloadArrays.Split split, ErrorContext context) {
        MessageReading in = new MessageReading("invalid invoke response", true, context);
        Long jobId = null;
        Boolean success = null;
        PayloadField payload = new PayloadField("result", "result_base64", json.length,
                split == null ? null : split.payload());
        String error = null;
        String errorType = null;
        String callId = null;
        Map<String, String> metadata = Map.of();
        Duration execution = null;
        Duration init = null;
        OptionalLong memory = OptionalLong.empty();
        Boolean coldStart = null;
        try (JsonParser p = factory.createParser(split == null ? json : split.rest())) {
            startObject(p, in);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "job_id" -> {
                        in.enter(name, JOB_ID);
                        jobId = readJobId(p, value, in);
                    }
                    case "result" -> payload.readArray(p, value, in, PAYLOAD);
                    case "result_base64" -> payload.readBase64(p, value, in, PAYLOAD_BASE64);
                    case "success" -> {
                        in.enter(name, SUCCESS);
                        success = readBoolean(value, in);
                    }
                    case "error" -> {
                        in.enter(name, ERROR);
                        error = readString(p, value, in);
                    }
                    case "error_type" -> {
                        in.enter(name, ERROR_TYPE);
                        errorType = readString(p, value, in);
                    }
                    case "call_id" -> {
                        in.enter(name, CALL_ID);
                        callId = readCallId(p, value, in);
                    }
                    case "metadata" -> {
                        in.enter(name, METADATA);
                        metadata = readStringMap(p, value, in);
                    }
                    case "execution_ms" -> {
                        in.enter(name, EXECUTION_MS);
                        execution = readMillis(p, value, in);
                    }
                    case "init_ms" -> {
                        in.enter(name, INIT_MS);
                        init = readMillis(p, value, in);
                    }
                    case "memory_used_mb" -> {
                        in.enter(name, MEMORY_USED_MB);
                        memory = readMegabytes(p, value, in);
                    }
                    case "cold_start" -> {
                        in.enter(name, COLD_START);
                        coldStart = value == JsonToken.VALUE_NULL ? null : readBoolean(value, in);
                    }
                    default -> p.skipChildren();
                }
                in.leave();
            }
            endDocument(p, in);
        } catch (IOException e) {
            throw in.malformed(e);
        }
        if (jobId == null) {
            throw in.fail("job_id is required");
        }
        if (success == null) {
            throw in.fail("success is required");
        }
        byte[] result = payload.bytes() == null ? new byte[0] : payload.bytes();
        InvokeResponse response = new InvokeResponse(jobId, result, success, Optional.ofNullable(error),
                Optional.ofNullable(errorType), Optional.ofNullable(callId), metadata, Optional.ofNullable(execution),
                memory, Optional.ofNullable(coldStart), Optional.ofNullable(init));
        return new Decoded<>(response, payload.encoding());
    }

    private static void startObject(JsonParser p, MessageReading in) throws IOException {
        JsonToken first = p.nextToken();
        if (first == null) {
            throw in.fail("empty input: expected a JSON object");
        }
        if (first != JsonToken.START_OBJECT) {
            throw in.fail("expected a JSON object, found " + MessageReading.describe(first));
        }
    }

    private static void endDocument(JsonParser p, MessageReading in) throws IOException {
        in.objectClosed();
        JsonToken after = p.nextToken();
        if (after != null) {
            throw in.fail("unexpected content after the JSON object: " + MessageReading.describe(after));
        }
    }

    private static long readJobId(JsonParser p, JsonToken value, MessageReading in) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            throw in.fail("job_id is required");
        }
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw in.wrongType("an integer", value);
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw in.fail("job_id must fit in a signed 64-bit integer, was " + p.getText());
        }
        long id = p.getLongValue();
        in.jobId(id);
        return id;
    }

    private static boolean readBoolean(JsonToken value, MessageReading in) {
        if (value == JsonToken.VALUE_TRUE || value == JsonToken.VALUE_FALSE) {
            return value == JsonToken.VALUE_TRUE;
        }
        throw in.wrongType("true or false", value);
    }

    private static String readString(JsonParser p, JsonToken value, MessageReading in) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            throw in.wrongType("a string", value);
        }
        return p.getText();
    }

    private static String readCallId(JsonParser p, JsonToken value, MessageReading in) throws IOException {
        String id = readString(p, value, in);
        if (id != null && id.isEmpty()) {
            throw in.fail("call_id must not be empty");
        }
        return id;
    }

    private static Map<String, String> readStringMap(JsonParser p, JsonToken value, MessageReading in)
            throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return Map.of();
        }
        if (value != JsonToken.START_OBJECT) {
            throw in.wrongType("an object of strings", value);
        }
        Map<String, String> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw in.fail("metadata." + key + " must be a string, was " + MessageReading.describe(v));
            }
            if (map.put(key, p.getText()) != null) {
                throw in.fail("metadata." + key + " appears more than once");
            }
        }
        return map;
    }

    private static Duration readMillis(JsonParser p, JsonToken value, MessageReading in) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            long ms = p.getLongValue();
            if (ms >= 0) {
                return Duration.ofMillis(ms);
            }
        } else if (value == JsonToken.VALUE_NUMBER_FLOAT) {
            double ms = p.getDoubleValue();
            if (ms >= 0 && ms < 9.0e12) {
                return Duration.ofNanos(Math.round(ms * 1_000_000d));
            }
        } else if (value != JsonToken.VALUE_NUMBER_INT) {
            throw in.wrongType("a number of milliseconds", value);
        }
        throw in.wrongType("a non-negative number of milliseconds", value);
    }

    private static OptionalLong readMegabytes(JsonParser p, JsonToken value, MessageReading in) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return OptionalLong.empty();
        }
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                && p.getLongValue() >= 0) {
            return OptionalLong.of(p.getLongValue());
        }
        if (value == JsonToken.VALUE_NUMBER_FLOAT && p.getDoubleValue() >= 0 && p.getDoubleValue() < 9.0e18) {
            return OptionalLong.of(Math.round(p.getDoubleValue()));
        }
        throw in.wrongType("a non-negative number of MiB", value);
    }
}
