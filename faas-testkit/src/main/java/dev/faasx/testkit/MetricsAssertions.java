package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.Figure;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.Provenance;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Checks that {@link InvocationMetrics} are honest: the total duration is what the client measured, every other
 * figure is either known with the provenance it came from or unknown, and the figures agree with each other.
 *
 * <pre>{@code
 * Invocation inv = await(executor.invokeWithMetrics(call));
 * MetricsAssertions.assertHonest(inv.metrics());
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class MetricsAssertions {
    private MetricsAssertions() {
    }

    /** The total duration is known, {@link Provenance#MEASURED_BY_CLIENT} and positive. */
    public static void assertTotalDurationMeasured(InvocationMetrics metrics) {
        Figure<Duration> total = metrics.totalDuration();
        assertThat(total.provenance()).as("provenance of totalDuration").isEqualTo(Provenance.MEASURED_BY_CLIENT);
        assertThat(total.value()).as("totalDuration").hasValueSatisfying(d -> assertThat(d).isPositive());
    }

    /**
     * The total duration is measured; every figure has a value exactly when its provenance is not
     * {@link Provenance#UNKNOWN}; known durations are not negative and known memory sizes positive; a call known
     * to be warm reports no init duration; a request id, when given, is not blank.
     */
    public static void assertHonest(InvocationMetrics metrics) {
        assertTotalDurationMeasured(metrics);
        Map<String, Figure<?>> figures = new LinkedHashMap<>();
        figures.put("totalDuration", metrics.totalDuration());
        figures.put("executionDuration", metrics.executionDuration());
        figures.put("billedDuration", metrics.billedDuration());
        figures.put("initDuration", metrics.initDuration());
        figures.put("coldStart", metrics.coldStart());
        figures.put("memoryUsedMb", metrics.memoryUsedMb());
        figures.put("memorySizeMb", metrics.memorySizeMb());
        figures.forEach((name, figure) -> {
            boolean unknown = figure.provenance() == Provenance.UNKNOWN;
            assertThat(figure.isKnown()).as("%s is %s, so it must %s a value", name, figure.provenance(),
                    unknown ? "not have" : "have").isEqualTo(!unknown);
            assertThat(figure.value().isPresent()).as("%s has a value exactly when it is known", name)
                    .isEqualTo(figure.isKnown());
        });
        for (String name : new String[] {"executionDuration", "billedDuration", "initDuration"}) {
            figures.get(name).value().ifPresent(d -> assertThat(((Duration) d).isNegative()).as("%s is negative: %s", name, d).isFalse());
        }
        for (String name : new String[] {"memoryUsedMb", "memorySizeMb"}) {
            figures.get(name).value().ifPresent(mb -> assertThat((Long) mb).as(name).isPositive());
        }
        if (metrics.coldStart().value().filter(cold -> !cold).isPresent()) {
            assertThat(metrics.initDuration().isKnown()).as("a warm call reports no initDuration").isFalse();
        }
        metrics.requestId().ifPresent(id -> assertThat(id).as("requestId").isNotBlank());
        assertConsistent(metrics);
    }

    /**
     * The figures agree with each other: what ran inside the call (execution, init) fits in the client's total,
     * within {@link #tolerance} for the coarser clocks of platforms; a billed duration is at least the execution it
     * bills; and a figure labelled as reported by the provider or the function is never the client's own
     * measurement relabelled (equal to the total to the nanosecond, which independent clocks never are).
     */
    public static void assertConsistent(InvocationMetrics metrics) {
        Duration total = metrics.totalDuration().value().orElse(null);
        Figure<Duration> execution = metrics.executionDuration();
        Figure<Duration> billed = metrics.billedDuration();
        Figure<Duration> init = metrics.initDuration();
        if (total != null) {
            Duration limit = total.plus(tolerance(total));
            execution.value().ifPresent(e -> assertThat(e).as("executionDuration (%s) fits in the client's total %s",
                    execution, total).isLessThanOrEqualTo(limit));
            init.value().ifPresent(i -> assertThat(i).as("initDuration (%s) fits in the client's total %s", init,
                    total).isLessThanOrEqualTo(limit));
            Map<String, Figure<Duration>> reported = new LinkedHashMap<>();
            reported.put("executionDuration", execution);
            reported.put("billedDuration", billed);
            reported.put("initDuration", init);
            reported.forEach((name, figure) -> {
                if (figure.provenance() == Provenance.REPORTED_BY_PROVIDER
                        || figure.provenance() == Provenance.REPORTED_BY_FUNCTION) {
                    assertThat(figure.value().orElseThrow()).as("%s is labelled %s but is exactly the client's own "
                            + "total", name, figure.provenance()).isNotEqualTo(total);
                }
            });
        }
        if (billed.isKnown() && execution.isKnown() && billed.provenance() == execution.provenance()) {
            assertThat(billed.value().orElseThrow().plusMillis(1)).as("billedDuration %s covers executionDuration %s",
                    billed, execution).isGreaterThanOrEqualTo(execution.value().orElseThrow());
        }
    }

    /** How far a platform's figure may exceed the client's total: 5 ms or 5 %, whichever is more. */
    static Duration tolerance(Duration total) {
        Duration fivePercent = total.dividedBy(20);
        return fivePercent.compareTo(Duration.ofMillis(5)) > 0 ? fivePercent : Duration.ofMillis(5);
    }
}
