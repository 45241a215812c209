package dev.faasx.kafka;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobResult;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.kafka.internal.RecordFormat;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * The record format of the Kafka binding (see "Kafka binding" in docs/custom-faas-platform-spec.md): a job call is a
 * record whose key is the call id (UTF-8) and whose value is the spec's invoke request JSON; its result is a record
 * whose key is the same call id and whose value is the spec's invoke response JSON. Producers and readers in any
 * language can use the format; this class is the Java side of it.
 *
 * <p>Result records also carry three informative headers: {@value #RUNNER_HEADER} (the id of the runner that
 * wrote it), {@value #PROVIDER_HEADER} ({@code local} or the executor's provider) and {@value #PLACEMENT_HEADER}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * JobRecords records = JobRecords.create();
 * producer.send(records.callRecord("faasx-calls", JobCall.of(7, body)));
 * ...
 * InvokeResponse response = records.decodeResult(resultRecord);
 * }</pre>
 */
public final class JobRecords {
    /** Header of a result record: the id of the runner that wrote it. */
    public static final String RUNNER_HEADER = "faasx-runner";
    /** Header of a result record: {@code local} or the provider of the executor that ran the call. */
    public static final String PROVIDER_HEADER = "faasx-provider";
    /** Header of a result record: where the call ran ({@link dev.faasx.core.Placement}). */
    public static final String PLACEMENT_HEADER = "faasx-placement";
    /** Header of a dead-letter record: why the record could not be read as a job call. */
    public static final String ERROR_HEADER = "faasx-error";
    /** Headers of a dead-letter record: where the record came from. */
    public static final String SOURCE_TOPIC_HEADER = "faasx-source-topic";
    public static final String SOURCE_PARTITION_HEADER = "faasx-source-partition";
    public static final String SOURCE_OFFSET_HEADER = "faasx-source-offset";

    /** The longest call id accepted from a record key, in characters. */
    public static final int MAX_CALL_ID_LENGTH = 512;

    private final RecordFormat format;

    private JobRecords(PayloadEncoding encoding) {
        this.format = new RecordFormat(encoding);
    }

    /** Writes call payloads in base64 (the faasx extension); results follow each request's encoding. */
    public static JobRecords create() {
        return new JobRecords(PayloadEncoding.BASE64);
    }

    /** Writes call payloads in {@code encoding}; {@link PayloadEncoding#BYTE_ARRAY} is plain spec v1. */
    public static JobRecords create(PayloadEncoding encoding) {
        return new JobRecords(Objects.requireNonNull(encoding, "encoding"));
    }

    /** The record of {@code call} for {@code topic}: key = call id, value = invoke request JSON. */
    public ProducerRecord<byte[], byte[]> callRecord(String topic, JobCall call) {
        return format.callRecord(topic, call);
    }

    /**
     * Reads a call record. The call id is the record key; a value that carries {@code call_id} must agree with it.
     * A record with neither gets the stable id {@code kafka:<topic>/<partition>/<offset>}, the same each time the
     * record is read.
     *
     * @throws ProtocolException naming the problem when the record is not a job call
     */
    public JobCall decodeCall(ConsumerRecord<byte[], byte[]> record) {
        return format.decodeCall(record);
    }

    /**
     * Reads a result record.
     *
     * @throws ProtocolException naming the problem when the value is not an invoke response
     */
    public InvokeResponse decodeResult(ConsumerRecord<byte[], byte[]> record) {
        return format.decodeResult(record);
    }

    /** The value of a result record for {@code result}: the spec's invoke response, payload in {@code encoding}. */
    public byte[] encodeResult(JobResult result, PayloadEncoding encoding) {
        return format.encodeResult(result, encoding);
    }

    /** The text of a record header, or empty when the record does not have it. */
    public static Optional<String> header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null || h.value() == null ? Optional.empty()
                : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }
}
