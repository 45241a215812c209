package dev.faasx.kafka;

import dev.faasx.core.JobConsumer;
import dev.faasx.core.JobResult;
import dev.faasx.kafka.internal.SourceEngine;

/**
 * Writes the one result of each call a {@link KafkaJobSource} handed out to the results topic: key = call id,
 * value = the spec's invoke response JSON (see {@link JobRecords}). Get it from {@link KafkaJobSource#resultSink()}
 * and give it to the same runner as the source: the source commits a call's offset only once the sink has written
 * its result.
 *
 * <p>With {@link DeliveryGuarantee#AT_LEAST_ONCE} the result is sent at once; with
 * {@link DeliveryGuarantee#EXACTLY_ONCE} it is written in the source's next transaction, together with the offset
 * of its call. {@link #accept} never blocks for long and never throws for a Kafka problem: a result that cannot be
 * written leaves its call's offset uncommitted, so the call runs again.
 *
 * <p>Thread-safe; the runner calls it from its delivery thread.
 */
public final class KafkaResultSink implements JobConsumer {
    private final SourceEngine engine;

    KafkaResultSink(SourceEngine engine) {
        this.engine = engine;
    }

    @Override
    public void accept(JobResult result) {
        engine.resultOf(result);
    }
}
