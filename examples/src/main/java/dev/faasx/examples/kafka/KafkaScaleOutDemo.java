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
import dev.faasx.kafka.TestBroker;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

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
        try (TestBroker kafka = TestBroker.start()) {
            kafka.createTopic("demo-calls", 6);
            kafka.createTopic("demo-results", 3);
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
            try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
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
