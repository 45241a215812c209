package dev.faasx.examples.kafka;

import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobRouter;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.examples.jobs.Shout;
import dev.faasx.examples.jobs.WordCount;
import dev.faasx.kafka.DeliveryGuarantee;
import dev.faasx.kafka.JobRecords;
import dev.faasx.kafka.KafkaJobSource;
import dev.faasx.kafka.KafkaSourceStats;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Scale-out in one process: an embedded one-node Kafka, two runners sharing the calls topic through a consumer
 * group (exactly-once results), a producer of word-count and shout calls, and a table of what each runner did.
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am -DskipTests -Pkafka-demo verify
 * </pre>
 */
public final class KafkaScaleOutDemo {
    static final long WORD_COUNT = 1;
    static final long SHOUT = 2;
    static final int CALLS = 2_000;

    private KafkaScaleOutDemo() {
    }

    public static void main(String[] args) throws Exception {
        run(CALLS, System.out);
    }

    /** Runs the demonstration with {@code calls} calls and prints to {@code out}; returns results per runner. */
    public static Map<String, Integer> run(int calls, PrintStream out) throws Exception {
        long start = System.nanoTime();
        try (KafkaClusterTestKit kafka = startKafka(); Admin admin = kafka.admin()) {
            admin.createTopics(List.of(new NewTopic("demo-calls", 6, (short) 1),
                    new NewTopic("demo-results", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            awaitServed(admin, Map.of("demo-calls", 6, "demo-results", 3));
            out.printf("embedded Kafka at %s; topics demo-calls (6 partitions) and demo-results (3)%n",
                    kafka.bootstrapServers());

            JobRouter router = JobRouter.builder().route(WORD_COUNT, new WordCount()).route(SHOUT, new Shout())
                    .build();
            List<KafkaJobSource> sources = new ArrayList<>();
            List<FaasRunner> runners = new ArrayList<>();
            for (String id : List.of("runner-a", "runner-b")) {
                KafkaJobSource source = KafkaJobSource.builder().bootstrapServers(kafka.bootstrapServers())
                        .callsTopic("demo-calls").resultsTopic("demo-results").groupId("demo-runners")
                        .runnerId(id).guarantee(DeliveryGuarantee.EXACTLY_ONCE).build();
                FaasRunner runner = FaasRunner.builder().name(id).router(router).producer(source)
                        .consumer(source.resultSink()).build();
                runner.start();
                sources.add(source);
                runners.add(runner);
            }
            Map<String, String> partitions = awaitPartitions(sources);

            JobRecords records = JobRecords.create();
            List<Future<RecordMetadata>> sent = new ArrayList<>(calls);
            try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
                for (int i = 0; i < calls; i++) {
                    boolean shout = i % 3 == 0;
                    byte[] body = (shout ? "hello " + i : "the quick brown fox number " + i)
                            .getBytes(StandardCharsets.UTF_8);
                    sent.add(producer.send(records.callRecord("demo-calls", JobCall.builder(shout ? SHOUT : WORD_COUNT)
                            .callId("call-" + i).body(body).metadata("doc", "doc-" + i).build())));
                }
            }
            for (Future<RecordMetadata> f : sent) {
                f.get(30, TimeUnit.SECONDS);
            }
            out.printf("sent %,d calls%n", calls);

            Map<String, Integer> perRunner = new TreeMap<>();
            Map<String, Integer> failures = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : readResults(kafka.bootstrapServers(), calls)) {
                String runner = JobRecords.header(r, JobRecords.RUNNER_HEADER).orElse("?");
                perRunner.merge(runner, 1, Integer::sum);
                InvokeResponse response = records.decodeResult(r);
                if (!response.success()) {
                    failures.merge(runner, 1, Integer::sum);
                }
            }
            for (KafkaJobSource s : sources) {
                s.close();
            }
            for (FaasRunner r : runners) {
                r.close();
            }
            out.println();
            out.println("| runner | partitions | results | failed | transactions committed |");
            out.println("|---|---|---|---|---|");
            for (KafkaJobSource s : sources) {
                KafkaSourceStats st = s.stats();
                out.printf("| %s | %s | %,d | %,d | %,d |%n", st.runnerId(), partitions.get(st.runnerId()),
                        perRunner.getOrDefault(st.runnerId(), 0), failures.getOrDefault(st.runnerId(), 0),
                        st.commits());
            }
            out.printf("%n%,d committed results for %,d calls in %.1f s%n",
                    perRunner.values().stream().mapToInt(Integer::intValue).sum(), calls,
                    (System.nanoTime() - start) / 1e9);
            return perRunner;
        }
    }

    /** Waits until the two runners hold all six partitions; returns which each holds. */
    private static Map<String, String> awaitPartitions(List<KafkaJobSource> sources) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            int held = 0;
            for (KafkaJobSource s : sources) {
                held += s.stats().partitions().size();
            }
            if (held == 6 && sources.stream().allMatch(s -> !s.stats().partitions().isEmpty())) {
                break;
            }
            Thread.sleep(20);
        }
        Map<String, String> held = new HashMap<>();
        for (KafkaJobSource s : sources) {
            held.put(s.runnerId(), new java.util.TreeSet<>(s.stats().partitions()).toString());
        }
        return held;
    }

    /** Waits until the broker serves every partition: a write right after a topic is created can fail. */
    private static void awaitServed(Admin admin, Map<String, Integer> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> all = new HashMap<>();
        topics.forEach((t, n) -> {
            for (int p = 0; p < n; p++) {
                all.put(new TopicPartition(t, p), OffsetSpec.latest());
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.listOffsets(all).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > end) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    private static KafkaClusterTestKit startKafka() throws Exception {
        KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true)
                .setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "3")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "3")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .build();
        kafka.format();
        kafka.startup();
        kafka.waitForReadyBrokers();
        return kafka;
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(p);
    }

    /** Reads committed results until there is one per call (or a minute has passed). */
    private static List<ConsumerRecord<byte[], byte[]>> readResults(String bootstrap, int calls) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor("demo-results", Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition("demo-results", i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (out.size() < calls && System.nanoTime() < end) {
                consumer.poll(Duration.ofMillis(100)).forEach(out::add);
            }
        }
        return out;
    }
}
