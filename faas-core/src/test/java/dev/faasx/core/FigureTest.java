package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FigureTest {

    @Test
    void eachFactoryStatesItsProvenance() {
        assertThat(Figure.measured(1L).provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
        assertThat(Figure.reported(1L).provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
        assertThat(Figure.unknown().provenance()).isEqualTo(Provenance.UNKNOWN);
    }

    @Test
    void anUnknownFigureHasNoValueAndAKnownOneHasOne() {
        assertThat(Figure.unknown().value()).isEmpty();
        assertThat(Figure.unknown().isKnown()).isFalse();
        assertThat(Figure.measured(Duration.ofMillis(3)).value()).contains(Duration.ofMillis(3));
        assertThat(Figure.measured(3).isKnown()).isTrue();
    }

    @Test
    void knownFiguresNeedAValue() {
        assertThatThrownBy(() -> Figure.measured(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Figure.reported(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void reportedOrUnknownDependsOnTheValue() {
        assertThat(Figure.reportedOrUnknown(null)).isEqualTo(Figure.unknown());
        assertThat(Figure.reportedOrUnknown(5L)).isEqualTo(Figure.reported(5L));
    }

    @Test
    void mapKeepsTheProvenance() {
        assertThat(Figure.reported(Duration.ofSeconds(2)).map(Duration::toMillis)).isEqualTo(Figure.reported(2000L));
        assertThat(Figure.<Duration>unknown().map(Duration::toMillis)).isEqualTo(Figure.unknown());
    }

    @Test
    void equalityIncludesProvenance() {
        assertThat(Figure.measured(1L)).isEqualTo(Figure.measured(1L)).hasSameHashCodeAs(Figure.measured(1L))
                .isNotEqualTo(Figure.reported(1L));
    }

    @Test
    void toStringSaysWhereTheValueCameFrom() {
        assertThat(Figure.measured(1L)).hasToString("1 (measured)");
        assertThat(Figure.reported(2L)).hasToString("2 (reported)");
        assertThat(Figure.unknown()).hasToString("unknown");
    }
}
