package dev.faasx.kafka.internal;

import java.util.concurrent.atomic.LongAdder;

/** What a source counts; read through {@code KafkaJobSource.stats()}. */
final class Counters {
    final LongAdder callsRead = new LongAdder();
    final LongAdder callsStarted = new LongAdder();
    final LongAdder resultsWritten = new LongAdder();
    final LongAdder resultsDropped = new LongAdder();
    final LongAdder malformedRecords = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder rebalances = new LongAdder();
    final LongAdder rewinds = new LongAdder();
    final LongAdder pauses = new LongAdder();
}
