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
    }
}
