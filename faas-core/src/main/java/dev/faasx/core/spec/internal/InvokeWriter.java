package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.util.ByteBufferBackedInputStream;
import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes invoke requests and responses with Jackson's streaming generator, straight from the payload's read-only
 * view (no copy of the payload). The output is compact JSON on one line: JSON strings never hold a raw newline, so
 * a message can serve as one line of the persistent-worker protocol. Thread-safe.
 */
public final class InvokeWriter {
    private final JsonFactory factory;

    public InvokeWriter(JsonFactory factory) {
        this.factory = factory;
    }

    /** A size estimate for an output buffer. */
    public static int estimateSize(int payloadLength, PayloadEncoding encoding) {
        long estimate = 256L + (encoding == PayloadEncoding.BASE64 ? payloadLength * 4L / 3 : payloadLength * 4L);
        return (int) Math.min(estimate, 1 << 26);
    }

    public void writeRequest(InvokeRequest request, PayloadEncoding encoding, OutputStream out) throws IOException {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("job_id", request.jobId());
            writePayload(g, encoding, "args", "args_base64", request.argsBuffer());
            writeOptionalString(g, "call_id", request.callId());
            writeMetadata(g, request.metadata());
            g.writeEndObject();
        }
    }

    public void writeResponse(InvokeResponse response, PayloadEncoding encoding, OutputStream out)
            throws IOException {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("job_id", response.jobId());
            writePayload(g, encoding, "result", "result_base64", response.resultBuffer());
            g.writeBooleanField("success", response.success());
            writeOptionalString(g, "error", response.error());
            writeOptionalString(g, "error_type", response.errorType());
            writeMillis(g, "execution_ms", response.executionDuration());
            if (response.memoryUsedMb().isPresent()) {
                g.writeNumberField("memory_used_mb", response.memoryUsedMb().getAsLong());
            }
            if (response.coldStart().isPresent()) {
                g.writeBooleanField("cold_start", response.coldStart().get());
            }
            writeMillis(g, "init_ms", response.initDuration());
            writeOptionalString(g, "call_id", response.callId());
            writeMetadata(g, response.metadata());
            g.writeEndObject();
        }
    }

    /**
     * A failure that is both a v1 invoke failure ({@code job_id}, {@code result:[]}, {@code success:false},
     * {@code error}) and an error body ({@code code}, {@code details}).
     */
    public void writeInvokeFailure(long jobId, Optional<String> callId, ErrorBody body, OutputStream out)
            throws IOException {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("job_id", jobId);
            g.writeFieldName("result");
            g.writeStartArray(null, 0);
            g.writeEndArray();
            g.writeBooleanField("success", false);
            writeErrorFields(g, body);
            writeOptionalString(g, "call_id", callId);
            g.writeEndObject();
        }
    }

    public void writeErrorBody(ErrorBody body, OutputStream out) throws IOException {
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            writeErrorFields(g, body);
            g.writeEndObject();
        }
    }

    private static void writeErrorFields(JsonGenerator g, ErrorBody body) throws IOException {
        g.writeStringField("error", body.error());
        writeOptionalString(g, "code", body.code());
        g.writeFieldName("details");
        writeStringMap(g, body.details());
    }

    private static void writePayload(JsonGenerator g, PayloadEncoding encoding, String arrayField,
                                     String base64Field, ByteBuffer payload) throws IOException {
        int length = payload.remaining();
        if (encoding == PayloadEncoding.BASE64) {
            g.writeFieldName(base64Field);
            g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, new ByteBufferBackedInputStream(payload), length);
            return;
        }
        g.writeFieldName(arrayField);
        g.writeStartArray(null, length);
        for (int i = 0; i < length; i++) {
            g.writeNumber(payload.get(i) & 0xFF);
        }
        g.writeEndArray();
    }

    private static void writeMillis(JsonGenerator g, String field, Optional<Duration> value) throws IOException {
        if (value.isPresent()) {
            // Whole milliseconds, rounded to the nearest: spec v1 readers expect an integer.
            g.writeNumberField(field, value.get().plusNanos(500_000).toMillis());
        }
    }

    private static void writeOptionalString(JsonGenerator g, String field, Optional<String> value)
            throws IOException {
        if (value.isPresent()) {
            g.writeStringField(field, value.get());
        }
    }

    private static void writeMetadata(JsonGenerator g, Map<String, String> metadata) throws IOException {
        if (!metadata.isEmpty()) {
            g.writeFieldName("metadata");
            writeStringMap(g, metadata);
        }
    }

    private static void writeStringMap(JsonGenerator g, Map<String, String> map) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, String> e : map.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }
}
