package dev.faasx.kafka.internal;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobResult;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.Decoded;
import dev.faasx.kafka.KafkaSourceStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery behind {@code KafkaJobSource} and {@code KafkaResultSink}.
 *
 * <p>Threads: one poll thread owns the Kafka consumer (a consumer is not thread-safe) and, with exactly-once, the
 * transaction. It reads call records into a buffer, keeps one {@link PartitionLedger} per assigned partition,
 * pauses every partition while the uncommitted window is full, and commits. The runner's pulling thread takes calls
 * from the buffer ({@link #next}); the runner's delivery thread hands results in ({@link #resultOf}).
 */
public final class SourceEngine {
    private static final Logger log = LoggerFactory.getLogger(SourceEngine.class);
    private static final long TAKE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final Duration BUSY_POLL = Duration.ofMillis(5);
    private static final Duration IDLE_POLL = Duration.ofMillis(100);

    private final SourceSettings settings;
    private final RecordFormat records;
    private final Consumer<byte[], byte[]> consumer;
    private final ResultWriter writer;
    private final Counters counters = new Counters();
    private final CallBuffer buffer = new CallBuffer();
    private final InFlightCalls inFlight = new InFlightCalls();
    private final AtomicInteger uncommitted = new AtomicInteger();
    private final ConcurrentHashMap<TopicPartition, PartitionLedger> ledgers = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closeOnce = new AtomicBoolean();
    private final Thread pollThread;

    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile Set<Integer> assigned = Set.of();
    private boolean paused; // poll thread only

    public SourceEngine(SourceSettings settings, Consumer<byte[], byte[]> consumer,
                        Producer<byte[], byte[]> producer) {
        this.settings = settings;
        this.records = settings.records();
        this.consumer = consumer;
        this.writer = settings.exactlyOnce()
                ? new TransactionalWriter(producer, consumer, counters, settings.commitInterval())
                : new AtLeastOnceWriter(producer, consumer, counters, settings.commitInterval(), this::tooLarge);
        this.pollThread = new Thread(this::pollLoop, "faasx-kafka-" + settings.runnerId());
        pollThread.setDaemon(true);
    }

    // ---- the runner's side ----

    /** The next call; empty once the source is closing. Starts reading on first use. */
    public Optional<JobCall> next() throws InterruptedException {
        if (started.compareAndSet(false, true)) {
            pollThread.start();
        }
        while (true) {
            checkFailure();
            if (closing) {
                return Optional.empty();
            }
            PendingCall call = buffer.poll(TAKE_WAIT_NANOS, inFlight::add);
            if (call != null) {
                counters.callsStarted.increment();
                return Optional.of(call.call());
            }
        }
    }

    /** The runner's result of a call this source handed out. */
    public void resultOf(JobResult result) {
        PendingCall call = inFlight.remove(result.callId());
        if (call == null) {
            log.warn("the result of call {} (job {}) does not belong to a call of this Kafka source; it is not "
                    + "written", result.callId(), result.jobId());
            return;
        }
        if (failure != null) {
            counters.resultsDropped.increment();
            return;
        }
        if (result instanceof JobResult.Failure f && f.error() instanceof CallCancelledException) {
            // The runner shut down before the call finished: no result is written and its offset stays
            // uncommitted, so the runner that reads the partition next runs the call.
            call.entry().ledger().abandon(call.entry());
            counters.resultsDropped.increment();
            return;
        }
        writer.resultReady(call.entry(), List.of(records.resultRecord(settings.resultsTopic(), result,
                call.encoding(), settings.runnerId())));
    }

    private void checkFailure() {
        Throwable f = failure;
        if (f != null) {
            throw new IllegalStateException("the Kafka job source of runner " + settings.runnerId()
                    + " stopped: " + f.getMessage(), f);
        }
    }

    public KafkaSourceStats stats() {
        return new KafkaSourceStats(settings.runnerId(), counters.callsRead.sum(), counters.callsStarted.sum(),
                counters.resultsWritten.sum(), counters.resultsDropped.sum(), counters.malformedRecords.sum(),
                counters.commits.sum(), counters.rebalances.sum(), counters.rewinds.sum(), counters.pauses.sum(),
                Math.max(0, uncommitted.get()), assigned);
    }

    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /**
     * Stops handing out calls, waits up to the close timeout for the results of the calls already handed out, commits
     * and closes the clients (the consumer leaves its group, so its partitions move at once).
     */
    public void close() {
        if (!closeOnce.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        buffer.wake();
        if (started.compareAndSet(false, true)) {
            closeClients(); // never read anything
            return;
        }
        try {
            pollThread.join(settings.closeTimeout().plusSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- the poll thread ----

    private void pollLoop() {
        try {
            writer.start();
            consumer.subscribe(List.of(settings.callsTopic()), new Rebalances());
            while (!closing) {
                applyBackPressure();
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(busy() ? BUSY_POLL : IDLE_POLL);
                List<PendingCall> batch = new ArrayList<>(polled.count());
                for (ConsumerRecord<byte[], byte[]> record : polled) {
                    read(record, batch);
                }
                buffer.addAll(batch);
                rewind(writer.flush(ledgers.values(), false));
            }
            finish();
        } catch (WakeupException e) {
            finish();
        } catch (Throwable t) {
            failure = t;
            log.error("the Kafka job source of runner {} stopped; calls not committed are read again by another "
                    + "runner", settings.runnerId(), t);
            buffer.wake();
        } finally {
            ledgers.values().forEach(PartitionLedger::retire);
            closeClients();
        }
    }

    private boolean busy() {
        return uncommitted.get() > 0;
    }

    private void applyBackPressure() {
        if (uncommitted.get() >= settings.maxUncommittedCalls()) {
            if (!paused) {
                paused = true;
                counters.pauses.increment();
            }
            consumer.pause(consumer.assignment()); // again each time: partitions assigned meanwhile too
        } else if (paused) {
            paused = false;
            consumer.resume(consumer.paused());
        }
    }

    private void read(ConsumerRecord<byte[], byte[]> record, List<PendingCall> batch) {
        PartitionLedger ledger = ledgers.get(new TopicPartition(record.topic(), record.partition()));
        PartitionLedger.Entry entry = ledger == null ? null : ledger.add(record.offset());
        if (entry == null) {
            return; // no longer ours
        }
        counters.callsRead.increment();
        try {
            Decoded<JobCall> call = records.decodeCallWithEncoding(record);
            batch.add(new PendingCall(call.value(), entry, call.encoding()));
        } catch (ProtocolException | IllegalArgumentException e) {
            ProtocolException error = e instanceof ProtocolException p ? p : new ProtocolException(e.getMessage(),
                    ErrorContext.builder("kafka").functionId(record.topic() + "/" + record.partition() + "@"
                            + record.offset()).build());
            counters.malformedRecords.increment();
            log.warn("record {}/{}@{} is not a job call; it gets a failed result: {}", record.topic(),
                    record.partition(), record.offset(), error.reason());
            List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(2);
            out.add(records.malformedResultRecord(settings.resultsTopic(), record, error, settings.runnerId()));
            if (settings.deadLetterTopic() != null) {
                out.add(RecordFormat.deadLetterRecord(settings.deadLetterTopic(), record, error));
            }
            writer.resultReady(entry, out);
        }
    }

    /** Reads partitions again from their last committed offset, after their uncommitted results were lost. */
    private void rewind(List<PartitionLedger> lost) {
        for (PartitionLedger old : lost) {
            TopicPartition tp = old.partition();
            long offset = old.rewindOffset();
            old.retire();
            buffer.drop(List.of(tp));
            if (ledgers.get(tp) == old && consumer.assignment().contains(tp)) {
                ledgers.put(tp, new PartitionLedger(tp, uncommitted));
                if (offset >= 0) {
                    consumer.seek(tp, offset);
                }
                counters.rewinds.increment();
            }
        }
    }

    private void finish() {
        buffer.drop(null);
        long deadline = System.nanoTime() + settings.closeTimeout().toNanos();
        while (!allDone(ledgers.values()) && System.nanoTime() < deadline) {
            rewind(writer.flush(ledgers.values(), false));
            sleepBriefly();
        }
        writer.flush(ledgers.values(), true);
    }

    private static boolean allDone(Collection<PartitionLedger> some) {
        for (PartitionLedger l : some) {
            if (!l.isRetired() && !l.allDone()) {
                return false;
            }
        }
        return true;
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(2);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeClients() {
        try {
            consumer.close(); // leaves the group: the partitions move to the other runners at once
        } catch (KafkaException | IllegalStateException e) {
            log.warn("closing the calls consumer failed: {}", e.toString());
        }
        writer.close(settings.closeTimeout());
    }

    private ProducerRecord<byte[], byte[]> tooLarge(ProducerRecord<byte[], byte[]> record) {
        return records.oversizedResultRecord(record);
    }

    /** Runs on the poll thread, inside {@code poll}. */
    private final class Rebalances implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            counters.rebalances.increment();
            for (TopicPartition tp : partitions) {
                ledgers.put(tp, new PartitionLedger(tp, uncommitted));
            }
            if (paused) {
                consumer.pause(partitions);
            }
            updateAssigned();
            log.info("runner {} took partitions {}", settings.runnerId(), partitions);
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty() || failure != null) {
                return; // after a failure, closing the consumer revokes everything: nothing can be committed
            }
            List<PartitionLedger> revoked = ledgersOf(partitions);
            buffer.drop(partitions);
            // Let the calls in flight finish so their offsets can be committed now, instead of running again.
            long deadline = System.nanoTime() + settings.revocationGrace().toNanos();
            while (!allDone(revoked) && System.nanoTime() < deadline && failure == null) {
                rewind(writer.flush(ledgers.values(), false));
                sleepBriefly();
            }
            rewind(writer.flush(ledgers.values(), true));
            forget(partitions, revoked);
            log.info("runner {} handed partitions {} over", settings.runnerId(), partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            List<PartitionLedger> lost = ledgersOf(partitions);
            buffer.drop(partitions);
            lost.forEach(PartitionLedger::retire);
            rewind(writer.partitionsLost(lost));
            forget(partitions, lost);
            log.warn("runner {} lost partitions {}; their uncommitted calls run again elsewhere",
                    settings.runnerId(), partitions);
        }

        private List<PartitionLedger> ledgersOf(Collection<TopicPartition> partitions) {
            List<PartitionLedger> out = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                PartitionLedger l = ledgers.get(tp);
                if (l != null) {
                    out.add(l);
                }
            }
            return out;
        }

        private void forget(Collection<TopicPartition> partitions, List<PartitionLedger> gone) {
            gone.forEach(PartitionLedger::retire);
            partitions.forEach(ledgers::remove);
            updateAssigned();
        }

        private void updateAssigned() {
            Set<Integer> now = new TreeSet<>();
            for (TopicPartition tp : ledgers.keySet()) {
                now.add(tp.partition());
            }
            assigned = Set.copyOf(now);
        }
    }
}
