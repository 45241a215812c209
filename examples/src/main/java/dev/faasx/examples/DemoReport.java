package dev.faasx.examples;

import dev.faasx.core.FaasException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.JobResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;

/** Per-job tallies of the demo's results, and the table it prints at the end. Not thread-safe. */
final class DemoReport {
    private final Map<Long, Row> rows = new TreeMap<>();
    private final Map<Long, String> names;
    private final Set<String> expectedFailures;
    private final List<String> unexpected = new ArrayList<>();
    private final Set<String> seen = new HashSet<>();
    private int results;
    private int failures;

    /** @param expectedFailures the call ids that should fail, with a {@code FunctionErrorException} */
    DemoReport(Map<Long, String> names, Set<String> expectedFailures) {
        this.names = names;
        this.expectedFailures = Set.copyOf(expectedFailures);
    }

    void add(JobResult result) {
        Row row = rows.computeIfAbsent(result.jobId(), id -> new Row());
        results++;
        row.calls++;
        if (!seen.add(result.callId())) {
            unexpected.add("a second result for call " + result.callId());
        }
        row.where.merge(where(result), 1, Integer::sum);
        row.retries += Math.max(0, result.attempts() - 1);
        boolean expectedToFail = expectedFailures.contains(result.callId());
        if (!result.isSuccess()) {
            failures++;
            row.failures++;
            FaasException error = ((JobResult.Failure) result).error();
            row.failureTypes.merge(error.getClass().getSimpleName(), 1, Integer::sum);
            if (!expectedToFail || !(error instanceof FunctionErrorException)) {
                unexpected.add("job " + result.jobId() + " call " + result.callId() + " failed: " + error);
            }
        } else if (expectedToFail) {
            unexpected.add("job " + result.jobId() + " call " + result.callId() + " succeeded on an input it must "
                    + "refuse");
        }
        Figure<Boolean> cold = result.metrics().coldStart();
        if (!cold.isKnown()) {
            row.coldUnknown++;
        } else if (cold.value().orElseThrow()) {
            row.cold++;
        } else {
            row.warm++;
        }
        result.elapsed().value().ifPresent(d -> row.latenciesNanos.add(d.toNanos()));
    }

    /** What went other than planned: missing or extra results, and failures the demo did not expect. */
    List<String> problems(int plannedCalls) {
        List<String> problems = new ArrayList<>(unexpected);
        if (results != plannedCalls) {
            problems.add(results + " results for " + plannedCalls + " calls");
        }
        return problems;
    }

    int results() {
        return results;
    }

    int failures() {
        return failures;
    }

    Map<Long, Row> rows() {
        return rows;
    }

    void print(PrintStream out) {
        String format = "%-4s %-22s %-14s %7s %8s %8s %6s %6s %8s %10s %10s%n";
        out.printf(format, "job", "name", "where it ran", "calls", "failures", "retries", "cold", "warm", "unknown",
                "p50", "p99");
        for (Map.Entry<Long, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            out.printf(format, e.getKey(), names.getOrDefault(e.getKey(), "?"), r.whereText(), r.calls, r.failures,
                    r.retries, r.cold, r.warm, r.coldUnknown, millis(r.percentile(50)), millis(r.percentile(99)));
        }
        rows.forEach((job, r) -> r.failureTypes.forEach((type, n) ->
                out.printf("     job %d failures: %d x %s%n", job, n, type)));
        out.println("cold/warm come from the platform's report (the reference server's cold_start); \"unknown\""
                + " where nobody reported it (local calls). Latency is the whole call as measured by the runner:");
        out.println("queueing, every attempt and the waits between them; \"retries\" counts attempts after the "
                + "first.");
    }

    private static String where(JobResult result) {
        return switch (result.placement()) {
            case LOCAL -> "local";
            case REMOTE -> result.provider();
            case LOCAL_FALLBACK -> "local (fallback)";
            case NOT_RUN -> "not run";
        };
    }

    private static String millis(Duration d) {
        return d == null ? "-" : String.format("%.2f ms", d.toNanos() / 1e6);
    }

    /** One job's tallies. */
    static final class Row {
        int calls;
        int failures;
        int cold;
        int warm;
        int coldUnknown;
        int retries;
        final Map<String, Integer> where = new TreeMap<>();
        final Map<String, Integer> failureTypes = new TreeMap<>();
        final List<Long> latenciesNanos = new ArrayList<>();

        Duration percentile(int p) {
            if (latenciesNanos.isEmpty()) {
                return null;
            }
            List<Long> sorted = new ArrayList<>(latenciesNanos);
            sorted.sort(null);
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return Duration.ofNanos(sorted.get(Math.max(0, Math.min(index, sorted.size() - 1))));
        }

        String whereText() {
            return String.join(", ", where.keySet());
        }
    }
}
