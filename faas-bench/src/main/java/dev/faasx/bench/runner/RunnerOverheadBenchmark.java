package dev.faasx.bench.runner;

import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The runner's per-call overhead: registry look-up, dispatch, result and future completion around a no-op job.
 *
 * <ul>
 *   <li>{@code handlerDirect} — the no-op handler called directly: the baseline to subtract.</li>
 *   <li>{@code localCallerRuns} — {@code runner.call} of a local job whose handler runs on the calling thread.</li>
 *   <li>{@code localPooled} — the same with the default local pool (adds a thread hand-off per call).</li>
 *   <li>{@code remoteNoopExecutor} — a delegated job whose executor answers at once.</li>
 * </ul>
 *
 * <p>Run: {@code java -jar faas-bench/target/benchmarks.jar RunnerOverhead -bm avgt -tu ns} for time per call and
 * {@code -bm thrpt -tu s -t 2} for calls per second on two threads.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RunnerOverheadBenchmark {
    private static final long LOCAL_JOB = 1;
    private static final long REMOTE_JOB = 2;

    private final JobHandler noop = call -> JobOutput.empty();
    private final JobCall localCall = JobCall.of(LOCAL_JOB, new byte[0]);
    private final JobCall remoteCall = JobCall.of(REMOTE_JOB, new byte[0]);

    private FaasRunner callerRuns;
    private FaasRunner pooled;

    @Setup(Level.Trial)
    public void setUp() {
        JobRouter router = JobRouter.builder().route(LOCAL_JOB, noop).build();
        callerRuns = FaasRunner.builder()
                .router(router)
                .callerRunsLocalHandlers()
                .withFaasExecutor(REMOTE_JOB, new NoopExecutor())
                .build();
        pooled = FaasRunner.builder().router(router).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        callerRuns.close();
        pooled.close();
    }

    @Benchmark
    public JobOutput handlerDirect() throws Exception {
        return noop.handle(localCall);
    }

    @Benchmark
    public JobResult localCallerRuns() {
        return callerRuns.call(localCall).join();
    }

    @Benchmark
    public JobResult localPooled() {
        return pooled.call(localCall).join();
    }

    @Benchmark
    public JobResult remoteNoopExecutor() {
        return callerRuns.call(remoteCall).join();
    }
}
