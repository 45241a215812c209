package dev.faasx.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes results and commits offsets, the way the source's delivery guarantee asks for. */
interface ResultWriter {

    /** Called once on the poll thread before the first poll. */
    void start();

    /**
     * The records carrying the result of the call at {@code entry} are ready. Called on the runner's delivery thread
     * (or on the poll thread for a malformed record).
     */
    void resultReady(PartitionLedger.Entry entry, List<ProducerRecord<byte[], byte[]>> records);

    /**
     * On the poll thread: writes what is ready and commits offsets when the commit interval has passed or
     * {@code commitNow}. Returns the ledgers whose uncommitted results were lost and must be read again.
     */
    List<PartitionLedger> flush(Collection<PartitionLedger> ledgers, boolean commitNow);

    /**
     * On the poll thread, when partitions are lost without a chance to commit: drops what was written for them and
     * not yet committed. Returns the other ledgers whose uncommitted results were lost with them.
     */
    List<PartitionLedger> partitionsLost(Collection<PartitionLedger> lost);

    /** Closes the producer, waiting up to {@code timeout} for records in flight. */
    void close(Duration timeout);
}
