package dev.faasx.kafka;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobProducer;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.kafka.internal.RecordFormat;
import dev.faasx.kafka.internal.SourceEngine;
import dev.faasx.kafka.internal.SourceSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A {@link JobProducer} that reads job calls from a Kafka topic as a member of a consumer group, so that several
 * runner processes share one job stream: the topic's partitions are spread over the runners, and the partitions of
 * a runner that leaves or dies move to the others. Its {@link #resultSink()} writes each call's result to a results
 * topic. The record format is the spec's invoke request/response JSON with the call id as key ({@link JobRecords}).
 *
 * <pre>{@code
 * try (KafkaJobSource source = KafkaJobSource.builder()
 *         .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *         .callsTopic("faasx-calls")
 *         .resultsTopic("faasx-results")
 *         .groupId("faasx-runners")
 *         .runnerId("runner-" + hostName)                 // stable per process: see below
 *         .guarantee(DeliveryGuarantee.EXACTLY_ONCE)
 *         .property("security.protocol", "SSL")            // any Kafka client property
 *         .build();
 *      FaasRunner runner = FaasRunner.builder()
 *         .router(router)
 *         .producer(source)
 *         .consumer(source.resultSink())
 *         .build()) {
 *     runner.run();                                        // until source.close() from another thread
 * }
 * }</pre>
 *
 * <h2>What it promises</h2>
 * <ul>
 *   <li><b>No lost call.</b> A call's offset is committed only once its result is written, per partition, up to the
 *       last call that, with every earlier one, has its result written (calls finish out of order). A runner that
 *       crashes leaves its uncommitted calls to the runner that takes its partitions.</li>
 *   <li><b>Results</b> as the {@link DeliveryGuarantee} says: at least one per call, or exactly one committed per
 *       call (Kafka transactions; readers use {@code isolation.level=read_committed}).</li>
 *   <li><b>Back-pressure.</b> The runner pulls calls only when it has room. The source reads ahead, but when
 *       {@linkplain Builder#maxUncommittedCalls the calls it has read and not committed} reach the limit it
 *       pauses its partitions until commits bring the count down: memory stays bounded, and so does the work a
 *       crash can repeat.</li>
 *   <li><b>Malformed records</b> (not the spec's JSON, a key that is not a usable call id, a key and
 *       {@code call_id} that differ) get a failed result on the results topic, with the key (or
 *       {@code kafka:<topic>/<partition>/<offset>}) as call id, and are optionally copied to a dead-letter topic.
 *       The partition goes on.</li>
 *   <li><b>Idempotency key.</b> A call may run twice after a crash or a rebalance, under either guarantee: its call
 *       id is the same each time (the record key, or the position-based id above), and reaches the function as
 *       {@link JobCall#callId()} (and as {@code call_id} in the spec's invoke request), so a function with side
 *       effects can use it to do them once.</li>
 * </ul>
 *
 * <h2>Lifecycle and threads</h2>
 * The source starts reading when the runner first asks for a call. {@link #close()} stops handing out calls (the
 * runner then finishes), waits up to the {@linkplain Builder#closeTimeout close timeout} for the results of calls in
 * flight, commits, and leaves the group. The source owns one thread, which owns its Kafka consumer. If Kafka fences
 * the source (another process took its transactional id) or refuses it for good, the source stops: the runner's next
 * pull fails and the runner finishes, and {@link #failure()} says why.
 *
 * <p>With exactly-once, give each runner process a stable, unique {@linkplain Builder#runnerId runner id}: the
 * transactional id is {@code <groupId>-<runnerId>}, so a restarted runner aborts its predecessor's open transaction
 * as it starts instead of leaving readers waiting for the transaction timeout.
 */
public final class KafkaJobSource implements JobProducer, AutoCloseable {
    private final SourceEngine engine;
    private final KafkaResultSink sink;
    private final String runnerId;
    private final DeliveryGuarantee guarantee;

    private KafkaJobSource(SourceEngine engine, String runnerId, DeliveryGuarantee guarantee) {
        this.engine = engine;
        this.sink = new KafkaResultSink(engine);
        this.runnerId = runnerId;
        this.guarantee = guarantee;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The next call from the calls topic, waiting until one arrives; empty once the source is closed. */
    @Override
    public Optional<JobCall> next() throws InterruptedException {
        return engine.next();
    }

    /** The sink that writes this source's results; give it to the same runner. */
    public KafkaResultSink resultSink() {
        return sink;
    }

    public String runnerId() {
        return runnerId;
    }

    public DeliveryGuarantee guarantee() {
        return guarantee;
    }

    /** What the source has done so far. */
    public KafkaSourceStats stats() {
        return engine.stats();
    }

    /** Why the source stopped, when it stopped on a failure. */
    public Optional<Throwable> failure() {
        return engine.failure();
    }

    /**
     * Stops handing out calls, waits up to the close timeout for the results of the calls already handed out,
     * commits them, and closes the Kafka clients (leaving the group, so the partitions move at once).
     */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Builds a {@link KafkaJobSource}. Required: the bootstrap servers (or a {@code bootstrap.servers} property),
     * the calls and results topics, and the group id. Not thread-safe.
     */
    public static final class Builder {
        private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");
        private static final Pattern RUNNER_ID = Pattern.compile("[A-Za-z0-9._-]{1,100}");

        private final Map<String, Object> common = new HashMap<>();
        private final Map<String, Object> consumerOnly = new HashMap<>();
        private final Map<String, Object> producerOnly = new HashMap<>();
        private String callsTopic;
        private String resultsTopic;
        private String deadLetterTopic;
        private String groupId;
        private String runnerId;
        private DeliveryGuarantee guarantee = DeliveryGuarantee.AT_LEAST_ONCE;
        private int maxUncommittedCalls = 2_000;
        private Duration commitInterval = Duration.ofMillis(100);
        private Duration revocationGrace = Duration.ofSeconds(5);
        private Duration closeTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /** {@code bootstrap.servers}: where the Kafka cluster is. */
        public Builder bootstrapServers(String value) {
            return property(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, requireText(value, "bootstrapServers"));
        }

        /** The topic job calls are read from. */
        public Builder callsTopic(String value) {
            this.callsTopic = topic(value, "callsTopic");
            return this;
        }

        /** The topic results are written to. */
        public Builder resultsTopic(String value) {
            this.resultsTopic = topic(value, "resultsTopic");
            return this;
        }

        /** Where malformed call records are copied (besides their failed result); default none. */
        public Builder deadLetterTopic(String value) {
            this.deadLetterTopic = topic(value, "deadLetterTopic");
            return this;
        }

        /** The consumer group that the runners sharing the calls topic join. */
        public Builder groupId(String value) {
            this.groupId = requireText(value, "groupId");
            return this;
        }

        /**
         * This runner's id: in its Kafka client ids, the transactional id ({@code <groupId>-<runnerId>}) and the
         * {@value JobRecords#RUNNER_HEADER} header of its results. Letters, digits, {@code . _ -}. Default: a random
         * one; with exactly-once give a stable one per process (see the class documentation).
         */
        public Builder runnerId(String value) {
            Objects.requireNonNull(value, "runnerId");
            if (!RUNNER_ID.matcher(value).matches()) {
                throw new IllegalArgumentException("runnerId must be 1 to 100 letters, digits, '.', '_' or '-', was '"
                        + value + "'");
            }
            this.runnerId = value;
            return this;
        }

        /** The delivery guarantee of the results (default {@link DeliveryGuarantee#AT_LEAST_ONCE}). */
        public Builder guarantee(DeliveryGuarantee value) {
            this.guarantee = Objects.requireNonNull(value, "guarantee");
            return this;
        }

        /**
         * A Kafka client property for both the consumer and the producer (each takes the ones it knows): security,
         * timeouts, batching. The source sets the serializers, {@code group.id}, {@code enable.auto.commit=false},
         * {@code acks=all}, idempotence and, for exactly-once, {@code transactional.id}; it defaults
         * {@code auto.offset.reset=earliest}, {@code isolation.level=read_committed} and the cooperative sticky
         * assignor, which you may override.
         */
        public Builder property(String name, Object value) {
            common.put(requireText(name, "property name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** {@link #property} for each entry. */
        public Builder properties(Map<String, ?> values) {
            values.forEach(this::property);
            return this;
        }

        /** {@link #property} for each entry. */
        public Builder properties(Properties values) {
            values.stringPropertyNames().forEach(n -> property(n, values.getProperty(n)));
            return this;
        }

        /** A property of the calls consumer only. */
        public Builder consumerProperty(String name, Object value) {
            consumerOnly.put(requireText(name, "property name"), Objects.requireNonNull(value, name));
            return this;
        }

        /** A property of the results producer only. */
        public Builder producerProperty(String name, Object value) {
            producerOnly.put(requireText(name, "property name"), Objects.requireNonNull(value, name));
            return this;
        }

        /**
         * The most calls read and not yet committed (default 2,000): when reached, the source pauses its partitions.
         * It bounds the memory the source holds and the calls a crash can make run again (at most this many plus one
         * poll's {@code max.poll.records}).
         */
        public Builder maxUncommittedCalls(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxUncommittedCalls must be at least 1, was " + value);
            }
            this.maxUncommittedCalls = value;
            return this;
        }

        /**
         * How often offsets are committed (at-least-once) or transactions committed (exactly-once); default 100 ms.
         * Shorter means fewer repeated calls after a crash and, with exactly-once, results visible sooner; longer
         * means fewer commits.
         */
        public Builder commitInterval(Duration value) {
            this.commitInterval = positive(value, "commitInterval");
            return this;
        }

        /**
         * How long a runner that is losing partitions in a rebalance waits for their calls in flight to finish, so
         * that it can commit them instead of leaving them to run again (default 5 s). Keep it well under
         * {@code max.poll.interval.ms}.
         */
        public Builder revocationGrace(Duration value) {
            Objects.requireNonNull(value, "revocationGrace");
            if (value.isNegative()) {
                throw new IllegalArgumentException("revocationGrace must not be negative, was " + value);
            }
            this.revocationGrace = value;
            return this;
        }

        /** How long {@link KafkaJobSource#close()} waits for results of calls in flight (default 10 s). */
        public Builder closeTimeout(Duration value) {
            this.closeTimeout = positive(value, "closeTimeout");
            return this;
        }

        /**
         * @throws IllegalStateException    when a required setting is missing
         * @throws IllegalArgumentException when the Kafka properties are not valid
         */
        public KafkaJobSource build() {
            require(callsTopic, "callsTopic");
            require(resultsTopic, "resultsTopic");
            require(groupId, "groupId");
            if (callsTopic.equals(resultsTopic)) {
                throw new IllegalStateException("the calls and results topics must differ, both are '" + callsTopic
                        + "'");
            }
            if (!common.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)
                    && !consumerOnly.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalStateException("bootstrapServers is not set: call bootstrapServers(...) or give a "
                        + "bootstrap.servers property");
            }
            String id = runnerId != null ? runnerId : "runner-" + UUID.randomUUID().toString().substring(0, 8);
            Map<String, Object> consumerProps = consumerProperties(id);
            Map<String, Object> producerProps = producerProperties(id);
            SourceSettings settings = new SourceSettings(callsTopic, resultsTopic, deadLetterTopic, groupId, id,
                    guarantee, consumerProps, producerProps, maxUncommittedCalls, commitInterval, revocationGrace,
                    closeTimeout, new RecordFormat(PayloadEncoding.BASE64));
            KafkaConsumer<byte[], byte[]> consumer;
            try {
                consumer = new KafkaConsumer<>(consumerProps);
            } catch (KafkaException e) {
                throw new IllegalArgumentException("the calls consumer cannot be created: " + e.getMessage(), e);
            }
            KafkaProducer<byte[], byte[]> producer;
            try {
                producer = new KafkaProducer<>(producerProps);
            } catch (KafkaException e) {
                consumer.close(CloseOptions.timeout(Duration.ZERO));
                throw new IllegalArgumentException("the results producer cannot be created: " + e.getMessage(), e);
            }
            return new KafkaJobSource(new SourceEngine(settings, consumer, producer), id, guarantee);
        }

        private Map<String, Object> consumerProperties(String id) {
            Map<String, Object> props = only(common, ConsumerConfig.configNames());
            props.putAll(consumerOnly);
            Object autoCommit = props.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
            if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
                throw new IllegalArgumentException("enable.auto.commit=true would commit calls before their results "
                        + "are written; the source commits offsets itself");
            }
            props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                    CooperativeStickyAssignor.class.getName());
            props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, id + "-calls");
            return props;
        }

        private Map<String, Object> producerProperties(String id) {
            Map<String, Object> props = only(common, ProducerConfig.configNames());
            props.putAll(producerOnly);
            boolean eos = guarantee == DeliveryGuarantee.EXACTLY_ONCE;
            if (!eos && props.containsKey(ProducerConfig.TRANSACTIONAL_ID_CONFIG)) {
                throw new IllegalArgumentException("transactional.id is set, but the guarantee is at-least-once; "
                        + "choose DeliveryGuarantee.EXACTLY_ONCE for transactions");
            }
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            if (eos) {
                props.putIfAbsent(ProducerConfig.TRANSACTIONAL_ID_CONFIG, groupId + "-" + id);
            }
            props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, id + "-results");
            return props;
        }

        private static Map<String, Object> only(Map<String, Object> props, Set<String> known) {
            Map<String, Object> out = new HashMap<>();
            props.forEach((k, v) -> {
                if (known.contains(k)) {
                    out.put(k, v);
                }
            });
            return out;
        }

        private static String topic(String value, String what) {
            Objects.requireNonNull(value, what);
            if (!TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
                throw new IllegalArgumentException(what + " must be a Kafka topic name (1 to 249 letters, digits, "
                        + "'.', '_' or '-'), was '" + value + "'");
            }
            return value;
        }

        private static String requireText(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " must not be blank");
            }
            return value;
        }

        private static Duration positive(Duration value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + value);
            }
            return value;
        }

        private static void require(Object value, String what) {
            if (value == null) {
                throw new IllegalStateException(what + " is not set");
            }
        }
    }
}
