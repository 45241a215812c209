package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JobCallTest {

    @Test
    void bodyIsCopiedOnTheWayIn() {
        byte[] body = {1, 2, 3};
        JobCall call = JobCall.of(1, body);
        body[0] = 9;

        assertThat(call.body()).containsExactly(1, 2, 3);
    }

    @Test
    void bodyIsCopiedOnTheWayOut() {
        JobCall call = JobCall.of(1, new byte[] {1, 2, 3});
        call.body()[0] = 9;

        assertThat(call.body()).containsExactly(1, 2, 3);
    }

    @Test
    void bodyBufferIsAReadOnlyViewOfTheWholeBody() {
        ByteBuffer view = JobCall.of(1, new byte[] {1, 2, 3}).bodyBuffer();

        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.remaining()).isEqualTo(3);
        assertThat(view.get(2)).isEqualTo((byte) 3);
    }

    @Test
    void aNullBodyIsEmpty() {
        assertThat(JobCall.of(1, null).body()).isEmpty();
        assertThat(JobCall.of(1, null).bodyLength()).isZero();
    }

    @Test
    void generatedCallIdsAreUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(JobCall.of(1, new byte[0]).callId());
        }

        assertThat(ids).hasSize(1000);
    }

    @Test
    void theBuilderKeepsEverythingItIsGiven() {
        JobCall call = JobCall.builder(Long.MIN_VALUE).body(new byte[] {4}).metadata("a", "1")
                .metadata(Map.of("b", "2")).callId("c-1").build();

        assertThat(call.jobId()).isEqualTo(Long.MIN_VALUE);
        assertThat(call.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "b", "2"));
        assertThat(call.callId()).isEqualTo("c-1");
        assertThat(call).isEqualTo(new JobCall(Long.MIN_VALUE, new byte[] {4}, Map.of("a", "1", "b", "2"), "c-1"));
    }

    @Test
    void metadataIsCopiedAndImmutable() {
        Map<String, String> metadata = new HashMap<>(Map.of("k", "v"));
        JobCall call = new JobCall(1, new byte[0], metadata, "c");
        metadata.put("x", "y");

        assertThat(call.metadata()).containsOnlyKeys("k");
        assertThatThrownBy(() -> call.metadata().put("z", "z")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void invalidCallIdsAndMetadataAreRejected() {
        Map<String, String> withNull = new HashMap<>();
        withNull.put("k", null);

        assertThatThrownBy(() -> new JobCall(1, new byte[0], Map.of(), "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new JobCall(1, new byte[0], Map.of(), null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new JobCall(1, new byte[0], withNull, "c"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalityComparesBodyContentAndToStringHidesIt() {
        JobCall a = new JobCall(1, new byte[] {1}, Map.of(), "c");
        JobCall b = new JobCall(1, new byte[] {1}, Map.of(), "c");

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(new JobCall(1, new byte[] {2}, Map.of(), "c"));
        assertThat(a.toString()).contains("1 bytes").doesNotContain("[1]");
    }
}
