package dev.faasx.cloudflare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WorkersCostEstimateTest {
    @Test
    void aPaidInvocationCostsARequestAndItsCpuMillisecondsAtTheOverageRates() {
        WorkersCostEstimate.Estimate e = WorkersCostEstimate.paid().perInvocation(Duration.ofMillis(10));

        // $0.30 / 1e6 + 10 ms * $0.02 / 1e6 = $0.0000005
        assertThat(e.usd()).isEqualByComparingTo(new BigDecimal("0.0000005"));
        assertThat(e.isEstimate()).isTrue();
        assertThat(e.toString()).contains("estimated").contains("not a bill");
    }

    @Test
    void aMonthOnThePaidPlanIsTheBasePlusWhatExceedsTheAllowance() {
        WorkersCostEstimate paid = WorkersCostEstimate.paid();

        assertThat(paid.monthly(5_000_000, Duration.ofMinutes(10)).usd()).isEqualByComparingTo("5.00");
        // 40M requests: 30M extra = $9.00; 50M CPU ms: 20M extra = $0.40
        assertThat(paid.monthly(40_000_000, Duration.ofMillis(50_000_000)).usd()).isEqualByComparingTo("14.40");
    }

    @Test
    void theFreePlanCostsNothing() {
        assertThat(WorkersCostEstimate.free().perInvocation(Duration.ofMillis(10)).usd()).isZero();
        assertThat(WorkersCostEstimate.free().monthly(1_000_000, Duration.ofHours(1)).usd()).isZero();
    }

    @Test
    void refusesNegativeInputs() {
        assertThatThrownBy(() -> WorkersCostEstimate.paid().perInvocation(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cpuTime");
        assertThatThrownBy(() -> WorkersCostEstimate.paid().monthly(-1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("requests");
    }
}
