package dev.faasx.kafka.internal;

import dev.faasx.kafka.DeliveryGuarantee;
import java.time.Duration;
import java.util.Map;

/**
 * What {@code KafkaJobSource.Builder} collected, checked and complete.
 *
 * @param consumerProperties  the calls consumer's configuration, final
 * @param producerProperties  the results producer's configuration, final
 * @param deadLetterTopic     where malformed call records are copied; null for none
 */
public record SourceSettings(
        String callsTopic,
        String resultsTopic,
        String deadLetterTopic,
        String groupId,
        String runnerId,
        DeliveryGuarantee guarantee,
        Map<String, Object> consumerProperties,
        Map<String, Object> producerProperties,
        int maxUncommittedCalls,
        Duration commitInterval,
        Duration revocationGrace,
        Duration closeTimeout,
        RecordFormat records) {

    public SourceSettings {
        consumerProperties = Map.copyOf(consumerProperties);
        producerProperties = Map.copyOf(producerProperties);
    }

    boolean exactlyOnce() {
        return guarantee == DeliveryGuarantee.EXACTLY_ONCE;
    }
}
