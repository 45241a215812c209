package dev.faasx.bench.cloudflare;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * Runs the Cloudflare benchmarks and prints the figures that {@code docs/benchmarks.md} records: the warm invocation
 * ratio (executor / bare POST) and deploy-to-first-result percentiles.
 *
 * <p>{@code java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.cloudflare.CloudflareBenchmarks}
 */
public final class CloudflareBenchmarks {
    private CloudflareBenchmarks() {
    }

    public static void main(String[] args) throws RunnerException {
        Collection<RunResult> warm = new Runner(new OptionsBuilder()
                .include(WarmInvocationBenchmark.class.getName()).build()).run();
        Options deployOptions = new OptionsBuilder().include(DeployToFirstResultBenchmark.class.getName()).build();
        Collection<RunResult> deploy = new Runner(deployOptions).run();

        double executor = mean(warm, "executorInvoke");
        double bare = mean(warm, "barePost");
        Statistics d = deploy.iterator().next().getPrimaryResult().getStatistics();
        System.out.println();
        System.out.println("== Cloudflare Workers (local runtime) ==");
        System.out.printf(Locale.ROOT, "warm invocation, executor: %.1f us/op%n", executor);
        System.out.printf(Locale.ROOT, "warm invocation, bare POST: %.1f us/op%n", bare);
        System.out.printf(Locale.ROOT, "ratio executor / bare POST: %.3f (goal <= 1.10)%n", executor / bare);
        System.out.printf(Locale.ROOT, "deploy to first result: mean %.1f ms, p50 %.1f ms, p90 %.1f ms, max %.1f ms, "
                + "n=%d (goal <= 200 ms)%n", d.getMean(), d.getPercentile(50), d.getPercentile(90), d.getMax(),
                d.getN());
    }

    private static double mean(Collection<RunResult> results, String method) {
        return results.stream().filter(r -> r.getParams().getBenchmark().endsWith("." + method)).findFirst()
                .orElseThrow().getPrimaryResult().getScore();
    }
}
