package dev.faasx.bench.runner;

import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobRouter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * End-to-end throughput of the producer → runner → consumer path for a no-op local job: every call is pulled
 * from a producer, dispatched under the in-flight limit, and its result delivered to the consumer. One operation
 * is one call; the score is calls per second.
 *
 * <p>Run: {@code java -jar faas-bench/target/benchmarks.jar RunnerStream}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RunnerStreamBenchmark {
    private static final int CALLS = 200_000;
    private static final long JOB = 1;

    @Param({"true", "false"})
    public boolean callerRuns;

    @Benchmark
    @OperationsPerInvocation(CALLS)
    public long producerToConsumer() {
        JobCall call = JobCall.of(JOB, new byte[0]);
        int[] left = {CALLS};
        JobProducer producer = () -> left[0]-- > 0 ? Optional.of(call) : Optional.empty();
        LongAdder delivered = new LongAdder();
        FaasRunner.Builder builder = FaasRunner.builder()
                .router(JobRouter.builder().route(JOB, c -> JobOutput.empty()).build())
                .producer(producer)
                .consumer(result -> delivered.increment())
                .maxInFlight(1024);
        if (callerRuns) {
            builder.callerRunsLocalHandlers();
        }
        try (FaasRunner runner = builder.build()) {
            runner.run();
        }
        if (delivered.sum() != CALLS) {
            throw new IllegalStateException("delivered " + delivered.sum() + " of " + CALLS + " results");
        }
        return delivered.sum();
    }
}
