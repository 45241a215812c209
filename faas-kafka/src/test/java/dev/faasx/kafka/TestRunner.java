package dev.faasx.kafka;

import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobRouter;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** One runner on a Kafka source and sink, as one process of a scaled-out deployment would run it. */
final class TestRunner implements AutoCloseable {
    final KafkaJobSource source;
    final FaasRunner runner;

    private TestRunner(KafkaJobSource source, FaasRunner runner) {
        this.source = source;
        this.runner = runner;
    }

    static TestRunner start(KafkaJobSource source, JobRouter router, long delegatedJob, FaasExecutor executor,
                            UnaryOperator<FaasRunner.Builder> more) {
        FaasRunner.Builder b = FaasRunner.builder().name(source.runnerId()).router(router).producer(source)
                .consumer(source.resultSink()).maxInFlight(128).shutdownGrace(Duration.ofSeconds(10));
        if (executor != null) {
            b.withFaasExecutor(delegatedJob, executor);
        }
        FaasRunner runner = more.apply(b).build();
        runner.start();
        return new TestRunner(source, runner);
    }

    boolean hasPartitions() {
        return !source.stats().partitions().isEmpty();
    }

    @Override
    public void close() throws InterruptedException {
        source.close();
        runner.close();
        runner.awaitTermination(Duration.ofSeconds(15));
    }
}
