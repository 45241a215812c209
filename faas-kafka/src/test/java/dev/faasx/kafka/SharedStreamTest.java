package dev.faasx.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobRouter;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.testkit.HandlerJar;
import dev.faasx.testkit.InMemoryExecutor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class SharedStreamTest {
    static final long LOCAL_JOB = 1;
    static final long DELEGATED_JOB = 2;

    static TestBroker broker;
    static InMemoryExecutor platform;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
        platform = InMemoryExecutor.create();
        platform.deploy(DELEGATED_JOB, HandlerJar.of(ReverseJob.class),
                FaasConfig.builder().maxConcurrency(512).build()).join();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        platform.close();
        broker.close();
    }

    static JobRouter upperCaseRouter() {
        return JobRouter.builder().route(LOCAL_JOB, JobHandler.ofBytes(b ->
                new String(b, StandardCharsets.UTF_8).toUpperCase().getBytes(StandardCharsets.UTF_8))).build();
    }

    static KafkaJobSource.Builder source(String topicPrefix, String runnerId, DeliveryGuarantee guarantee) {
        return Streams.source(broker, topicPrefix, runnerId, guarantee);
    }

    @Test
    void threeRunnersShareTwentyThousandCallsAndEveryCallGetsExactlyOneResult() throws Exception {
        int n = 20_000;
        broker.createTopic("shared-calls", 6);
        broker.createTopic("shared-results", 3);
        List<TestRunner> runners = new ArrayList<>();
        try {
            for (int r = 1; r <= 3; r++) {
                runners.add(TestRunner.start(source("shared", "r" + r, DeliveryGuarantee.AT_LEAST_ONCE).build(),
                        upperCaseRouter(), DELEGATED_JOB, platform, b -> b));
            }
            // The sources join the group when their runners first pull; wait until all three hold partitions.
            Streams.await(() -> runners.stream().allMatch(TestRunner::hasPartitions), Duration.ofSeconds(30),
                    "three runners with partitions");
            broker.send(Streams.calls("shared-calls", "c", n, i -> i % 4 == 0 ? DELEGATED_JOB : LOCAL_JOB));

            List<ConsumerRecord<byte[], byte[]>> results = broker.readAll("shared-results", "read_committed", n,
                    Duration.ofSeconds(60), Duration.ofMillis(500));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> byId = Streams.byCallId(results);

            assertThat(byId).hasSize(n);
            assertThat(byId.values()).allSatisfy(list -> assertThat(list).hasSize(1));
            Map<String, Integer> perRunner = new HashMap<>();
            for (int i = 0; i < n; i++) {
                ConsumerRecord<byte[], byte[]> record = byId.get("c-" + i).get(0);
                InvokeResponse response = Streams.response(record);
                assertThat(response.success()).as("call c-%d: %s", i, response.error()).isTrue();
                assertThat(response.callId()).contains("c-" + i);
                if (i % 4 == 0) {
                    assertThat(Streams.text(response.result())).isEqualTo(new StringBuilder("call-" + i).reverse()
                            .toString());
                    assertThat(response.metadata()).containsEntry("seen-call-id", "c-" + i);
                    assertThat(JobRecords.header(record, JobRecords.PROVIDER_HEADER)).contains(
                            InMemoryExecutor.PROVIDER);
                } else {
                    assertThat(Streams.text(response.result())).isEqualTo("CALL-" + i);
                    assertThat(JobRecords.header(record, JobRecords.PROVIDER_HEADER)).contains("local");
                }
                perRunner.merge(JobRecords.header(record, JobRecords.RUNNER_HEADER).orElseThrow(), 1,
                        Integer::sum);
            }
            assertThat(perRunner).containsOnlyKeys("r1", "r2", "r3");
            assertThat(perRunner.values()).allSatisfy(count -> assertThat(count).isGreaterThan(0));
        } finally {
            for (TestRunner r : runners) {
                r.close();
            }
        }
        long written = runners.stream().mapToLong(r -> r.source.stats().resultsWritten()).sum();
        assertThat(written).isEqualTo(n);
    }
}
