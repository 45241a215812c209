package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobOutputTest {

    @Test
    void bodyIsCopiedInAndOut() {
        byte[] body = {5, 6};
        JobOutput output = JobOutput.of(body);
        body[0] = 0;
        output.body()[1] = 0;

        assertThat(output.body()).containsExactly(5, 6);
        assertThat(output.bodyLength()).isEqualTo(2);
        assertThat(output.bodyBuffer().isReadOnly()).isTrue();
    }

    @Test
    void metadataIsCopied() {
        Map<String, String> metadata = new HashMap<>(Map.of("rows", "42"));
        JobOutput output = JobOutput.of(new byte[0], metadata);
        metadata.clear();

        assertThat(output.metadata()).containsEntry("rows", "42");
        assertThatThrownBy(() -> output.metadata().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void emptyHasNothing() {
        assertThat(JobOutput.empty().body()).isEmpty();
        assertThat(JobOutput.empty().metadata()).isEmpty();
        assertThat(JobOutput.of(null)).isEqualTo(JobOutput.empty());
    }

    @Test
    void equalityComparesContent() {
        assertThat(JobOutput.of(new byte[] {1}, Map.of("k", "v")))
                .isEqualTo(JobOutput.of(new byte[] {1}, Map.of("k", "v")))
                .hasSameHashCodeAs(JobOutput.of(new byte[] {1}, Map.of("k", "v")))
                .isNotEqualTo(JobOutput.of(new byte[] {1}));
    }
}
