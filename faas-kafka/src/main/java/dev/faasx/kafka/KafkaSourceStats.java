package dev.faasx.kafka;

import java.util.Set;

/**
 * What one {@link KafkaJobSource} has done so far: counts since it started, and its current partitions.
 *
 * @param runnerId           the source's runner id (also the {@value JobRecords#RUNNER_HEADER} header of its results)
 * @param callsRead          call records read from the calls topic (including malformed ones, and calls read again
 *                           after a rebalance or an aborted transaction)
 * @param callsStarted       calls handed to the runner
 * @param resultsWritten     results written: acknowledged by Kafka (at-least-once) or committed in a transaction
 *                           (exactly-once); malformed records' failed results included
 * @param resultsDropped     results not written (or written but not committed) because their partition had moved to
 *                           another runner or was read again; each of those calls runs again
 * @param malformedRecords   records that were not job calls and got a failed result instead
 * @param commits            offset commits (at-least-once) or committed transactions (exactly-once)
 * @param rebalances         partition assignments received
 * @param rewinds            partitions read again from their last committed offset after an aborted transaction
 * @param pauses             times the source paused its partitions because its uncommitted window was full
 * @param uncommittedCalls   calls read whose offsets are not yet committed, now
 * @param partitions         the partitions of the calls topic assigned to this source, now
 */
public record KafkaSourceStats(String runnerId, long callsRead, long callsStarted, long resultsWritten,
                               long resultsDropped, long malformedRecords, long commits, long rebalances,
                               long rewinds, long pauses, int uncommittedCalls, Set<Integer> partitions) {
    public KafkaSourceStats {
        partitions = Set.copyOf(partitions);
    }
}
