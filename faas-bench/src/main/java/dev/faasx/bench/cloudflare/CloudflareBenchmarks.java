package dev.faasx.bench.cloudflare;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the Cloudflare benchmarks and prints the figures that {@code docs/benchmarks.md} records: the interleaved
 * warm-invocation comparison ({@link WarmInvocationComparison}: executor / bare POST) and the deploy-to-first-result
 * percentiles ({@link DeployToFirstResultBenchmark}, JMH). {@link WarmInvocationBenchmark} gives the warm latencies
 * as plain JMH averages when run on its own.
 *
 * <p>{@code java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.cloudflare.CloudflareBenchmarks}
 */
public final class CloudflareBenchmarks {
    private CloudflareBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        String warm = WarmInvocationComparison.report(WarmInvocationComparison.run(2_500, 10_000));
        Options deployOptions = new OptionsBuilder().include(DeployToFirstResultBenchmark.class.getName()).build();
        Collection<RunResult> deploy = new Runner(deployOptions).run();

        Statistics d = deploy.iterator().next().getPrimaryResult().getStatistics();
        System.out.println();
        System.out.println("== Cloudflare Workers (local runtime) ==");
        System.out.print(warm);
        System.out.printf(Locale.ROOT, "deploy to first result: mean %.1f ms, p50 %.1f ms, p90 %.1f ms, max %.1f ms, "
                + "n=%d (goal <= 200 ms)%n", d.getMean(), d.getPercentile(50), d.getPercentile(90), d.getMax(),
                d.getN());
    }
}
