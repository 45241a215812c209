package dev.faasx.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KafkaJobSourceBuilderTest {

    private static KafkaJobSource.Builder complete() {
        return KafkaJobSource.builder().bootstrapServers("127.0.0.1:1").callsTopic("calls").resultsTopic("results")
                .groupId("runners");
    }

    @Test
    void aCompleteBuilderBuildsASourceThatClosesWithoutEverConnecting() {
        KafkaJobSource source = complete().runnerId("r-1").guarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .property("request.timeout.ms", 5000).build();
        assertThat(source.runnerId()).isEqualTo("r-1");
        assertThat(source.guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(source.stats().callsRead()).isZero();
        source.close();
        assertThat(source.failure()).isEmpty();
    }

    @Test
    void missingSettingsAreNamed() {
        assertThatThrownBy(() -> KafkaJobSource.builder().resultsTopic("r").groupId("g").bootstrapServers("h:1")
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("callsTopic");
        assertThatThrownBy(() -> KafkaJobSource.builder().callsTopic("c").resultsTopic("r").bootstrapServers("h:1")
                .build()).isInstanceOf(IllegalStateException.class).hasMessageContaining("groupId");
        assertThatThrownBy(() -> KafkaJobSource.builder().callsTopic("c").resultsTopic("r").groupId("g").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrap");
        assertThatThrownBy(() -> complete().resultsTopic("calls").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("differ");
    }

    @Test
    void invalidValuesAreRefused() {
        assertThatThrownBy(() -> complete().callsTopic("no spaces")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("topic");
        assertThatThrownBy(() -> complete().runnerId("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().maxUncommittedCalls(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().commitInterval(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().property("enable.auto.commit", "true").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enable.auto.commit");
        assertThatThrownBy(() -> complete().producerProperty("transactional.id", "t").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EXACTLY_ONCE");
        assertThatThrownBy(() -> complete().property("max.poll.records", "many").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consumer");
    }
}
