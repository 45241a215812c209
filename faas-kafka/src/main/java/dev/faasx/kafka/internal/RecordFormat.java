package dev.faasx.kafka.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobResult;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.kafka.JobRecords;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * The record format of the Kafka binding: call records (key = call id, value = invoke request JSON) and result
 * records (key = call id, value = invoke response JSON, plus informative headers). {@code JobRecords} is its public
 * face. Immutable and thread-safe.
 */
public final class RecordFormat {
    private static final String PROVIDER = "kafka";
    private static final ErrorContext DECODING = ErrorContext.of(PROVIDER);

    private final SpecCodec codec;
    private final PayloadEncoding encoding;

    public RecordFormat(PayloadEncoding encoding) {
        this.codec = SpecCodec.create();
        this.encoding = Objects.requireNonNull(encoding, "encoding");
    }

    /** The record of {@code call} for {@code topic}: key = call id, value = invoke request JSON. */
    public ProducerRecord<byte[], byte[]> callRecord(String topic, JobCall call) {
        Objects.requireNonNull(topic, "topic");
        return new ProducerRecord<>(topic, call.callId().getBytes(StandardCharsets.UTF_8),
                codec.encodeRequest(InvokeRequest.from(call), encoding));
    }

    /**
     * Reads a call record. The call id is the record key; a value that carries {@code call_id} must agree with it.
     * A record with neither gets the stable id {@code kafka:<topic>/<partition>/<offset>}, the same each time the
     * record is read.
     *
     * @throws ProtocolException naming the problem when the record is not a job call
     */
    public JobCall decodeCall(ConsumerRecord<byte[], byte[]> record) {
        return decodeCallWithEncoding(record).value();
    }

    /** {@code decodeCall} plus the payload encoding the sender used, which its result will use too. */
    public Decoded<JobCall> decodeCallWithEncoding(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            throw new ProtocolException("the record has no value; a job call's value is an invoke request",
                    contextOf(record));
        }
        Optional<String> key = keyOf(record, null);
        Decoded<InvokeRequest> decoded;
        try {
            // The record's position goes into the context only when there is an error to report.
            decoded = codec.decodeRequestWithEncoding(record.value(), DECODING);
        } catch (ProtocolException e) {
            ErrorContext.Builder context = contextOf(record).toBuilder();
            e.jobId().ifPresent(context::jobId);
            throw new ProtocolException(e.reason(), false, context.build(), e);
        }
        ErrorContext context = contextOf(record);
        InvokeRequest request = decoded.value();
        if (key.isPresent() && request.callId().isPresent() && !key.get().equals(request.callId().get())) {
            throw new ProtocolException("the record key (call id '" + key.get() + "') and the value's call_id '"
                    + request.callId().get() + "' differ", context.toBuilder().jobId(request.jobId()).build());
        }
        String callId = key.or(request::callId).orElseGet(() -> positionalCallId(record));
        JobCall call = JobCall.builder(request.jobId()).body(request.args()).metadata(request.metadata())
                .callId(callId).build();
        return new Decoded<>(call, decoded.encoding());
    }

    /**
     * Reads a result record.
     *
     * @throws ProtocolException naming the problem when the value is not an invoke response
     */
    public InvokeResponse decodeResult(ConsumerRecord<byte[], byte[]> record) {
        ErrorContext context = contextOf(record);
        if (record.value() == null) {
            throw new ProtocolException("the record has no value; a result's value is an invoke response", context);
        }
        return codec.decodeResponse(record.value(), context);
    }

    /** The value of a result record for {@code result}: the spec's invoke response. */
    public byte[] encodeResult(JobResult result, PayloadEncoding payloadEncoding) {
        return codec.encodeResponse(toResponse(result), payloadEncoding);
    }

    /** The result record of {@code result}, with the informative headers. */
    public ProducerRecord<byte[], byte[]> resultRecord(String topic, JobResult result, PayloadEncoding payloadEncoding,
                                                String runnerId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobRecords.RUNNER_HEADER, runnerId.getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.PROVIDER_HEADER, result.provider().getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.PLACEMENT_HEADER, result.placement().name().getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, result.callId().getBytes(StandardCharsets.UTF_8),
                encodeResult(result, payloadEncoding), headers);
    }

    /** The failed result written for a record that is not a job call. */
    public ProducerRecord<byte[], byte[]> malformedResultRecord(String topic, ConsumerRecord<byte[], byte[]> record,
                                                         ProtocolException error, String runnerId) {
        String callId = callIdOfMalformed(record);
        InvokeResponse response = InvokeResponse.builder(error.jobId().orElse(0)).failure(error.reason())
                .errorType(ProtocolException.class.getSimpleName()).callId(callId).build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobRecords.RUNNER_HEADER, runnerId.getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.PROVIDER_HEADER, PROVIDER.getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.PLACEMENT_HEADER, "NOT_RUN".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, callId.getBytes(StandardCharsets.UTF_8),
                codec.encodeResponse(response), headers);
    }

    /** The record copied to a dead-letter topic: same key, value and headers, plus where it came from and why. */
    public static ProducerRecord<byte[], byte[]> deadLetterRecord(String topic, ConsumerRecord<byte[], byte[]> record,
                                                           ProtocolException error) {
        RecordHeaders headers = new RecordHeaders();
        for (Header h : record.headers()) {
            headers.add(h);
        }
        headers.add(JobRecords.ERROR_HEADER, error.getMessage().getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.SOURCE_TOPIC_HEADER, record.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.SOURCE_PARTITION_HEADER, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(JobRecords.SOURCE_OFFSET_HEADER, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(topic, null, record.key(), record.value(), headers);
    }

    /**
     * A failed result in place of a result record the producer refused as too large: same key and headers, the
     * job id read back from the refused value.
     */
    public ProducerRecord<byte[], byte[]> oversizedResultRecord(ProducerRecord<byte[], byte[]> refused) {
        String callId = new String(refused.key(), StandardCharsets.UTF_8);
        long jobId;
        try {
            jobId = codec.decodeResponse(refused.value()).jobId();
        } catch (ProtocolException e) {
            jobId = 0;
        }
        InvokeResponse response = InvokeResponse.builder(jobId).failure("the result of " + refused.value().length
                        + " bytes is larger than the results producer accepts; raise max.request.size (and the "
                        + "topic's max.message.bytes) or return less").errorType("RecordTooLargeException")
                .callId(callId).build();
        return new ProducerRecord<>(refused.topic(), null, refused.key(), codec.encodeResponse(response),
                refused.headers());
    }

    static InvokeResponse toResponse(JobResult result) {
        InvokeResponse.Builder b = InvokeResponse.builder(result.jobId()).callId(result.callId());
        if (result instanceof JobResult.Success s) {
            b.result(s.body()).metadata(s.metadata());
        } else if (result instanceof JobResult.Failure f) {
            b.failure(f.error().reason()).errorType(f.error().getClass().getSimpleName());
        }
        result.metrics().executionDuration().value().ifPresent(b::executionDuration);
        return b.build();
    }

    /** The call id of a record that could not be read: its key when that is a usable id, else its position. */
    static String callIdOfMalformed(ConsumerRecord<byte[], byte[]> record) {
        try {
            return keyOf(record, contextOf(record)).orElseGet(() -> positionalCallId(record));
        } catch (ProtocolException e) {
            return positionalCallId(record);
        }
    }

    static String positionalCallId(ConsumerRecord<?, ?> record) {
        return "kafka:" + record.topic() + "/" + record.partition() + "/" + record.offset();
    }

    /** The call id in the record key; {@code context} null: made from the record when there is an error. */
    private static Optional<String> keyOf(ConsumerRecord<byte[], byte[]> record, ErrorContext given) {
        byte[] key = record.key();
        if (key == null || key.length == 0) {
            return Optional.empty();
        }
        if (key.length <= JobRecords.MAX_CALL_ID_LENGTH && printableAscii(key)) {
            return Optional.of(new String(key, StandardCharsets.US_ASCII)); // the common case, without a decoder
        }
        ErrorContext context = given != null ? given : contextOf(record);
        String id;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key));
            id = chars.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("the record key is not UTF-8; the key is the call id", context);
        }
        if (id.length() > JobRecords.MAX_CALL_ID_LENGTH) {
            throw new ProtocolException("the record key (call id) has " + id.length() + " characters; at most "
                    + JobRecords.MAX_CALL_ID_LENGTH + " are accepted", context);
        }
        if (id.chars().anyMatch(Character::isISOControl)) {
            throw new ProtocolException("the record key (call id) contains control characters", context);
        }
        return Optional.of(id);
    }

    private static boolean printableAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static ErrorContext contextOf(ConsumerRecord<?, ?> record) {
        return ErrorContext.builder(PROVIDER).functionId(record.topic() + "/" + record.partition() + "@"
                + record.offset()).build();
    }
}
