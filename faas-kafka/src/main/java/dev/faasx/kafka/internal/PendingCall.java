package dev.faasx.kafka.internal;

import dev.faasx.core.JobCall;
import dev.faasx.core.spec.PayloadEncoding;

/**
 * A call read from Kafka, with its place in its partition's ledger and the payload encoding its result will use.
 *
 * @param call      the call
 * @param entry     its place in the ledger of its partition
 * @param encoding  the payload encoding of the call record, used for its result too
 */
record PendingCall(JobCall call, PartitionLedger.Entry entry, PayloadEncoding encoding) {
}
