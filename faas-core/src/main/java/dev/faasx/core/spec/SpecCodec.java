package dev.faasx.core.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.internal.InvokeReader;
import dev.faasx.core.spec.internal.InvokeWriter;
import dev.faasx.core.spec.internal.ManagementJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Encodes and decodes every message of the spec (v1 plus the faasx extensions) with Jackson.
 *
 * <p>Decoding is strict about what the contract requires and lenient about the rest: unknown fields are ignored,
 * but malformed or truncated JSON, a value of the wrong type, a byte outside 0–255, a missing required field, both
 * payload forms at once or invalid base64 fail with a {@link ProtocolException} whose reason names the field (and
 * carries the job id once it has been read). No Jackson exception ever escapes. The deploy configuration is a
 * request to validate rather than a message to trust, so its problems are {@link InvalidRequestException}s that
 * list every violation.
 *
 * <p>Payloads are binary-safe in both encodings, and the byte-array form is streamed token by token, so multi-MiB
 * payloads encode and decode in milliseconds. Encoded messages are compact single-line JSON.
 *
 * <p>Thread-safe and immutable: create one and share it.
 *
 * <pre>{@code
 * SpecCodec codec = SpecCodec.create();
 * byte[] body = codec.encodeRequest(InvokeRequest.from(call), PayloadEncoding.BASE64);
 * InvokeResponse response = codec.decodeResponse(httpBody, ErrorContext.of("custom-http", call.jobId()));
 * }</pre>
 */
public final class SpecCodec {
    private static final SpecCodec SHARED = new SpecCodec();
    private static final ErrorContext DEFAULT_CONTEXT = ErrorContext.of("spec");

    private final InvokeReader invokeReader;
    private final InvokeWriter invokeWriter;
    private final ManagementJson management;
    private final DeployConfigJson deployConfigs;

    private SpecCodec() {
        JsonFactory factory = JsonFactory.builder()
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                // Payload size is the transport's business (servers cap bodies); base64 payloads are long strings.
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
                .build();
        ObjectMapper mapper = JsonMapper.builder(factory)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        this.invokeReader = new InvokeReader(factory);
        this.invokeWriter = new InvokeWriter(factory);
        this.management = new ManagementJson(mapper);
        this.deployConfigs = new DeployConfigJson(mapper);
    }

    /** A new codec. Codecs are immutable; one instance can serve a whole application. */
    public static SpecCodec create() {
        return new SpecCodec();
    }

    /** The instance the spec types use internally (for example {@link DeployConfig#fromHeader}). */
    static SpecCodec shared() {
        return SHARED;
    }

    ManagementJson management() {
        return management;
    }

    // ---- invoke request ------------------------------------------------------------------------------------

    /** The request as spec v1 JSON ({@code "args":[...]}) plus any call id and metadata. */
    public byte[] encodeRequest(InvokeRequest request) {
        return encodeRequest(request, PayloadEncoding.BYTE_ARRAY);
    }

    public byte[] encodeRequest(InvokeRequest request, PayloadEncoding encoding) {
        ByteArrayBuilder out = new ByteArrayBuilder(InvokeWriter.estimateSize(request.argsLength(), encoding));
        return encode(out, () -> invokeWriter.writeRequest(request, encoding, out));
    }

    /** Writes the request to {@code out} (which stays open), without building it in memory first. */
    public void writeRequest(InvokeRequest request, PayloadEncoding encoding, OutputStream out) throws IOException {
        invokeWriter.writeRequest(request, encoding, out);
    }

    /** @throws ProtocolException naming the problem when {@code json} is not a valid invoke request */
    public InvokeRequest decodeRequest(byte[] json) {
        return decodeRequest(json, DEFAULT_CONTEXT);
    }

    /** @throws ProtocolException with {@code context} (plus the job id once known) for an invalid request */
    public InvokeRequest decodeRequest(byte[] json, ErrorContext context) {
        return decodeRequestWithEncoding(json, context).value();
    }

    /** The request and the encoding its sender used, so that the answer can use the same. */
    public Decoded<InvokeRequest> decodeRequestWithEncoding(byte[] json, ErrorContext context) {
        return invokeReader.readRequest(json, context);
    }

    // ---- invoke response -----------------------------------------------------------------------------------

    /** The response as spec v1 JSON ({@code "result":[...]}) plus the extensions it carries. */
    public byte[] encodeResponse(InvokeResponse response) {
        return encodeResponse(response, PayloadEncoding.BYTE_ARRAY);
    }

    public byte[] encodeResponse(InvokeResponse response, PayloadEncoding encoding) {
        ByteArrayBuilder out = new ByteArrayBuilder(InvokeWriter.estimateSize(response.resultLength(), encoding));
        return encode(out, () -> invokeWriter.writeResponse(response, encoding, out));
    }

    /** Writes the response to {@code out} (which stays open), without building it in memory first. */
    public void writeResponse(InvokeResponse response, PayloadEncoding encoding, OutputStream out)
            throws IOException {
        invokeWriter.writeResponse(response, encoding, out);
    }

    /** @throws ProtocolException naming the problem when {@code json} is not a valid invoke response */
    public InvokeResponse decodeResponse(byte[] json) {
        return decodeResponse(json, DEFAULT_CONTEXT);
    }

    public InvokeResponse decodeResponse(byte[] json, ErrorContext context) {
        return decodeResponseWithEncoding(json, context).value();
    }

    public Decoded<InvokeResponse> decodeResponseWithEncoding(byte[] json, ErrorContext context) {
        return invokeReader.readResponse(json, context);
    }

    /**
     * An invoke failure that a platform raised rather than the function (a timeout, an overload): both a v1
     * failure ({@code {"job_id":N,"result":[],"success":false,"error":"..."}}) and an {@link ErrorBody}
     * ({@code "code"}, {@code "details"}), so v1 clients and faasx clients both read it.
     */
    public byte[] encodeInvokeFailure(long jobId, Optional<String> callId, ErrorBody body) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        return encode(out, () -> invokeWriter.writeInvokeFailure(jobId, callId, body, out));
    }

    // ---- deploy configuration ------------------------------------------------------------------------------

    /** The configuration as JSON: the four v1 fields, plus {@code worker_mode} and {@code keep_warm} when set. */
    public byte[] encodeDeployConfig(DeployConfig config) {
        return deployConfigs.encode(config);
    }

    /** @throws InvalidRequestException listing every problem, each naming its field */
    public DeployConfig decodeDeployConfig(byte[] json) {
        return deployConfigs.decode(json, "deploy configuration");
    }

    /** The {@value DeployConfig#HEADER} header value: base64 of {@link #encodeDeployConfig}. */
    public String encodeDeployConfigHeader(DeployConfig config) {
        return deployConfigs.encodeHeader(config);
    }

    /**
     * Decodes a {@value DeployConfig#HEADER} header value. Fields it leaves out take their defaults.
     *
     * @throws InvalidRequestException when the value is empty, not base64, not a JSON object, or holds invalid
     *                                 values; every problem is listed, each naming its field
     */
    public DeployConfig decodeDeployConfigHeader(String headerValue) {
        return deployConfigs.decodeHeader(headerValue);
    }

    // ---- management answers --------------------------------------------------------------------------------

    public byte[] encodeDeployResponse(DeployResponse response) {
        return management.encodeDeployResponse(response);
    }

    public DeployResponse decodeDeployResponse(byte[] json, ErrorContext context) {
        return management.decodeDeployResponse(json, context);
    }

    public byte[] encodeFunctionInfo(FunctionInfo info) {
        return management.encodeFunctionInfo(info);
    }

    public FunctionInfo decodeFunctionInfo(byte[] json, ErrorContext context) {
        return management.decodeFunctionInfo(json, context);
    }

    public byte[] encodeHealthResponse(HealthResponse response) {
        return management.encodeHealth(response);
    }

    public HealthResponse decodeHealthResponse(byte[] json, ErrorContext context) {
        return management.decodeHealth(json, context);
    }

    public byte[] encodeWarmResponse(WarmResponse response) {
        return management.encodeWarm(response);
    }

    public WarmResponse decodeWarmResponse(byte[] json, ErrorContext context) {
        return management.decodeWarm(json, context);
    }

    public byte[] encodeDeleteResponse(DeleteResponse response) {
        return management.encodeDelete(response);
    }

    public DeleteResponse decodeDeleteResponse(byte[] json, ErrorContext context) {
        return management.decodeDelete(json, context);
    }

    public byte[] encodeErrorBody(ErrorBody body) {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        return encode(out, () -> invokeWriter.writeErrorBody(body, out));
    }

    /** Strict: {@code error} is required. To map any failed HTTP answer, use {@link SpecErrors} instead. */
    public ErrorBody decodeErrorBody(byte[] json, ErrorContext context) {
        return management.decodeErrorBody(json, context);
    }

    @FunctionalInterface
    private interface Write {
        void run() throws IOException;
    }

    private static byte[] encode(ByteArrayBuilder out, Write write) {
        try {
            write.run();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write JSON in memory", e);
        } finally {
            out.release();
        }
    }
}
