package dev.faasx.examples;

import dev.faasx.core.Figure;
import dev.faasx.core.JobResult;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per-job tallies of the demo's results, and the table it prints at the end. Not thread-safe. */
final class DemoReport {
    private final Map<Long, Row> rows = new TreeMap<>();
    private final Map<Long, String> names;
    private int results;
    private int failures;

    DemoReport(Map<Long, String> names) {
        this.names = names;
    }

    void add(JobResult result) {
        Row row = rows.computeIfAbsent(result.jobId(), id -> new Row());
        results++;
        row.calls++;
        row.where.merge(where(result), 1, Integer::sum);
        if (!result.isSuccess()) {
            failures++;
            row.failures++;
            row.failureTypes.merge(((JobResult.Failure) result).error().getClass().getSimpleName(), 1, Integer::sum);
        }
        Figure<Boolean> cold = result.metrics().coldStart();
        if (!cold.isKnown()) {
            row.coldUnknown++;
        } else if (cold.value().orElseThrow()) {
            row.cold++;
        } else {
            row.warm++;
        }
        result.metrics().totalDuration().value().ifPresent(d -> row.latenciesNanos.add(d.toNanos()));
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
        String format = "%-4s %-22s %-24s %7s %8s %6s %6s %8s %10s %10s%n";
        out.printf(format, "job", "name", "where it ran", "calls", "failures", "cold", "warm", "unknown", "p50",
                "p99");
        for (Map.Entry<Long, Row> e : rows.entrySet()) {
            Row r = e.getValue();
            out.printf(format, e.getKey(), names.getOrDefault(e.getKey(), "?"), r.whereText(), r.calls, r.failures,
                    r.cold, r.warm, r.coldUnknown, millis(r.percentile(50)), millis(r.percentile(99)));
        }
        rows.forEach((job, r) -> r.failureTypes.forEach((type, n) ->
                out.printf("     job %d failures: %d x %s%n", job, n, type)));
        out.println("cold/warm come from the platform's report (the reference server's cold_start); \"unknown\""
                + " where nobody reported it (local calls). Latency is the round trip measured by the runner.");
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
