package dev.faasx.kafka;

/**
 * What a {@link KafkaJobSource} promises about the results of the calls it reads.
 *
 * <p>Both guarantees commit a call's offset only after its result is written, per partition, up to the last call
 * whose result and every earlier call's result are written (calls finish out of order). Neither loses a call when a
 * runner crashes: a call whose offset was not committed is read again by the runner that takes the partition over.
 * They differ in what a reader of the results topic can see after a crash.
 */
public enum DeliveryGuarantee {
    /**
     * Every call gets at least one result. Results are written as soon as the runner has them and offsets are
     * committed every commit interval, so after a crash the calls whose results were written but whose offsets were
     * not yet committed run again and get a second result. How many: at most the source's
     * {@linkplain KafkaJobSource.Builder#maxUncommittedCalls uncommitted window} of the runner that crashed. Readers
     * de-duplicate by call id (the record key).
     */
    AT_LEAST_ONCE,

    /**
     * Every call gets exactly one committed result. Results and offsets are written in Kafka transactions
     * ({@code sendOffsetsToTransaction} with the consumer group's metadata), so a result becomes visible to
     * {@code isolation.level=read_committed} readers only together with the offset of its call. A runner that
     * crashes or is fenced leaves an open transaction that is aborted; its partitions' calls run again elsewhere.
     * A call may still <em>run</em> twice (its function's side effects may happen twice); its call id is a stable
     * idempotency key for the function to use.
     */
    EXACTLY_ONCE
}
