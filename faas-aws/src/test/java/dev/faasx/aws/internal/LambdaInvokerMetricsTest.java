package dev.faasx.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.Provenance;
import dev.faasx.core.spec.InvokeResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LambdaInvoker labels each figure with where it came from")
class LambdaInvokerMetricsTest {
    private final InvokeResponse answer = InvokeResponse.builder(1).result(new byte[] {1})
            .executionDuration(Duration.ofMillis(4)).build();

    @Test
    @DisplayName("without a REPORT line, the function's own timing is reported by the function, not the provider")
    void fallbackIsReportedByTheFunction() {
        InvocationMetrics m = LambdaInvoker.metrics(Duration.ofMillis(9), Optional.empty(), answer, Optional.empty());
        assertThat(m.executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
        assertThat(m.executionDuration().value()).contains(Duration.ofMillis(4));
        assertThat(m.coldStart().isKnown()).isFalse();
        assertThat(m.billedDuration().isKnown()).isFalse();
        assertThat(m.totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
    }

    @Test
    @DisplayName("with a REPORT line (text or JSON), Lambda's figures replace the function's, as the provider's")
    void reportWins() {
        for (String log : new String[] {
            "REPORT RequestId: r\tDuration: 2.50 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t",
            "{\"time\":\"t\",\"type\":\"platform.report\",\"record\":{\"requestId\":\"r\",\"metrics\":{\"durationMs\":2.5,"
                    + "\"billedDurationMs\":3,\"memorySizeMB\":128,\"maxMemoryUsedMB\":60}}}"}) {
            InvocationMetrics m = LambdaInvoker.metrics(Duration.ofMillis(9), LambdaReport.parse(log), answer,
                    Optional.of("r"));
            assertThat(m.executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(m.executionDuration().value()).contains(Duration.ofNanos(2_500_000));
            assertThat(m.billedDuration().value()).contains(Duration.ofMillis(3));
            assertThat(m.memoryUsedMb().value()).contains(60L);
            assertThat(m.coldStart().value()).contains(false);
        }
    }
}
