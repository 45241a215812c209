package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class InvocationMetricsTest {

    @Test
    void unsetFiguresAreUnknownNeverZero() {
        InvocationMetrics metrics = InvocationMetrics.builder().build();

        assertThat(metrics.totalDuration()).isEqualTo(Figure.unknown());
        assertThat(metrics.executionDuration().isKnown()).isFalse();
        assertThat(metrics.billedDuration().isKnown()).isFalse();
        assertThat(metrics.initDuration().isKnown()).isFalse();
        assertThat(metrics.coldStart().isKnown()).isFalse();
        assertThat(metrics.memoryUsedMb().isKnown()).isFalse();
        assertThat(metrics.memorySizeMb().isKnown()).isFalse();
        assertThat(metrics.requestId()).isEmpty();
        assertThat(metrics).isEqualTo(InvocationMetrics.unknown());
    }

    @Test
    void measuredKnowsOnlyTheClientsRoundTrip() {
        InvocationMetrics metrics = InvocationMetrics.measured(Duration.ofMillis(12));

        assertThat(metrics.totalDuration()).isEqualTo(Figure.measured(Duration.ofMillis(12)));
        assertThat(metrics.executionDuration().isKnown()).isFalse();
        assertThat(metrics.coldStart().isKnown()).isFalse();
    }

    @Test
    void nullComponentsBecomeUnknown() {
        InvocationMetrics metrics = new InvocationMetrics(null, null, null, null, null, null, null, null);

        assertThat(metrics).isEqualTo(InvocationMetrics.unknown());
    }

    @Test
    void toBuilderKeepsEveryFigureAndAddsMore() {
        InvocationMetrics reported = InvocationMetrics.builder()
                .executionDuration(Figure.reported(Duration.ofMillis(5)))
                .billedDuration(Figure.reported(Duration.ofMillis(6)))
                .initDuration(Figure.reported(Duration.ofMillis(200)))
                .coldStart(Figure.reported(true))
                .memoryUsedMb(Figure.reported(64L))
                .memorySizeMb(Figure.reported(128L))
                .requestId("req-1")
                .build();

        InvocationMetrics combined = reported.toBuilder().totalDuration(Figure.measured(Duration.ofMillis(9))).build();

        assertThat(combined.totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
        assertThat(combined.toBuilder().totalDuration(Figure.unknown()).build()).isEqualTo(reported);
        assertThat(combined.requestId()).contains("req-1");
    }
}
