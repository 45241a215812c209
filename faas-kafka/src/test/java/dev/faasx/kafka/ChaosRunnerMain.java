package dev.faasx.kafka;

import dev.faasx.core.FaasRunner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A runner process for the chaos tests: a Kafka source and sink around a runner with the upper-case job. It prints
 * {@code written <n> partitions <p>} every 50 ms, and closes cleanly when its standard input ends; the test kills
 * it with SIGKILL to crash it.
 *
 * <p>Arguments: bootstrap servers, topic prefix, runner id, guarantee.
 */
public final class ChaosRunnerMain {
    private ChaosRunnerMain() {
    }

    public static void main(String[] args) throws Exception {
        KafkaJobSource source = KafkaJobSource.builder().bootstrapServers(args[0])
                .callsTopic(args[1] + "-calls").resultsTopic(args[1] + "-results").groupId(args[1] + "-runners")
                .runnerId(args[2]).guarantee(DeliveryGuarantee.valueOf(args[3]))
                .maxUncommittedCalls(ChaosTest.VICTIM_WINDOW)
                .consumerProperty("max.poll.records", ChaosTest.VICTIM_MAX_POLL)
                .consumerProperty("session.timeout.ms", 2000)
                .consumerProperty("heartbeat.interval.ms", 300)
                .build();
        FaasRunner runner = FaasRunner.builder().name(args[2]).router(ChaosTest.slowUpperCase())
                .producer(source).consumer(source.resultSink()).maxInFlight(64).build();
        runner.start();
        Thread reporter = new Thread(() -> {
            while (true) {
                KafkaSourceStats stats = source.stats();
                System.out.println("written " + stats.resultsWritten() + " partitions " + stats.partitions().size());
                System.out.flush();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        reporter.setDaemon(true);
        reporter.start();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (in.readLine() != null) {
                // runs until the standard input ends
            }
        }
        source.close();
        runner.close();
        runner.awaitTermination(Duration.ofSeconds(10));
    }
}
