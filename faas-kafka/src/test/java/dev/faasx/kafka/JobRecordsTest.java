package dev.faasx.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobResult;
import dev.faasx.core.Placement;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class JobRecordsTest {
    private final JobRecords records = JobRecords.create();

    private static ConsumerRecord<byte[], byte[]> consumed(byte[] key, byte[] value) {
        return new ConsumerRecord<>("calls", 3, 42L, key, value);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCallRecordHasTheCallIdAsKeyAndTheSpecRequestAsValue() {
        JobCall call = JobCall.builder(7).callId("order-17").body(new byte[] {0, (byte) 255, 10})
                .metadata("tenant", "acme").build();
        ProducerRecord<byte[], byte[]> record = records.callRecord("calls", call);
        assertThat(record.key()).isEqualTo(utf8("order-17"));
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).contains("\"job_id\":7")
                .contains("\"call_id\":\"order-17\"").contains("\"args_base64\"");
        assertThat(records.decodeCall(consumed(record.key(), record.value()))).isEqualTo(call);
    }

    @Test
    void aPlainSpecV1RequestIsReadAndTheKeyIsItsCallId() {
        JobCall call = records.decodeCall(consumed(utf8("k-1"), utf8("{\"job_id\":9,\"args\":[104,105]}")));
        assertThat(call.jobId()).isEqualTo(9);
        assertThat(call.body()).isEqualTo(utf8("hi"));
        assertThat(call.callId()).isEqualTo("k-1");
    }

    @Test
    void aRecordWithoutKeyOrCallIdGetsAStablePositionalCallId() {
        byte[] value = utf8("{\"job_id\":9,\"args\":[]}");
        assertThat(records.decodeCall(consumed(null, value)).callId()).isEqualTo("kafka:calls/3/42");
        assertThat(records.decodeCall(consumed(null, utf8("{\"job_id\":9,\"args\":[],\"call_id\":\"v\"}")))
                .callId()).isEqualTo("v");
    }

    @Test
    void malformedRecordsFailWithAProtocolExceptionNamingTheProblem() {
        assertThatThrownBy(() -> records.decodeCall(consumed(utf8("k"), null)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("no value");
        assertThatThrownBy(() -> records.decodeCall(consumed(utf8("k"), utf8("{\"job_id\":1,\"args\":[],"
                + "\"call_id\":\"other\"}")))).isInstanceOf(ProtocolException.class).hasMessageContaining("differ");
        assertThatThrownBy(() -> records.decodeCall(consumed(new byte[] {(byte) 0xc3}, utf8("{\"job_id\":1}"))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("UTF-8");
        assertThatThrownBy(() -> records.decodeCall(consumed(utf8("a\nb"), utf8("{\"job_id\":1,\"args\":[]}"))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("control");
        assertThatThrownBy(() -> records.decodeCall(consumed(utf8("x".repeat(513)), utf8("{\"job_id\":1}"))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("512");
        assertThatThrownBy(() -> records.decodeCall(consumed(utf8("k"), utf8("{\"args\":[]}"))))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("job_id");
    }

    @Test
    void resultsAreTheSpecResponseWithTheCallIdAndTheJobsMetadataOrError() {
        JobCall call = JobCall.builder(5).callId("c-1").build();
        JobResult ok = JobResult.success(call, JobOutput.of(utf8("out"), Map.of("m", "1")), Placement.LOCAL,
                "local", InvocationMetrics.unknown());
        InvokeResponse okResponse = records.decodeResult(consumed(utf8("c-1"),
                records.encodeResult(ok, PayloadEncoding.BYTE_ARRAY)));
        assertThat(okResponse.success()).isTrue();
        assertThat(okResponse.result()).isEqualTo(utf8("out"));
        assertThat(okResponse.callId()).contains("c-1");
        assertThat(okResponse.metadata()).containsEntry("m", "1");

        JobResult failed = JobResult.failure(call, new FunctionErrorException("bad input", null,
                ErrorContext.of("local", 5), null), Placement.LOCAL, "local", InvocationMetrics.unknown());
        InvokeResponse failedResponse = records.decodeResult(consumed(utf8("c-1"),
                records.encodeResult(failed, PayloadEncoding.BASE64)));
        assertThat(failedResponse.success()).isFalse();
        assertThat(failedResponse.error()).contains("bad input");
        assertThat(failedResponse.errorType()).contains("FunctionErrorException");
        assertThat(failedResponse.jobId()).isEqualTo(5);
    }
}
