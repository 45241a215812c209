package dev.faasx.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("LambdaReport reads Lambda's REPORT line")
class LambdaReportTest {
    private static final String COLD = "START RequestId: 6f8b Version: $LATEST\n"
            + "hello from the handler\n"
            + "END RequestId: 6f8b\n"
            + "REPORT RequestId: 6f8b\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\t"
            + "Max Memory Used: 87 MB\tInit Duration: 412.50 ms\t\n";
    private static final String WARM = "REPORT RequestId: 71c0\tDuration: 2.01 ms\tBilled Duration: 3 ms\t"
            + "Memory Size: 512 MB\tMax Memory Used: 88 MB\t\n";

    private static String base64(String log) {
        return Base64.getEncoder().encodeToString(log.getBytes(StandardCharsets.UTF_8));
    }

    @Nested
    @DisplayName("of a cold start")
    class ColdStart {
        @Test
        @DisplayName("gives every figure, and the Init Duration marks the cold start")
        void allFigures() {
            LambdaReport r = LambdaReport.fromLogResult(base64(COLD)).orElseThrow();
            assertThat(r.requestId()).contains("6f8b");
            assertThat(r.duration()).contains(Duration.ofNanos(12_340_000));
            assertThat(r.billedDuration()).contains(Duration.ofMillis(13));
            assertThat(r.memorySizeMb()).hasValue(512);
            assertThat(r.maxMemoryUsedMb()).hasValue(87);
            assertThat(r.initDuration()).contains(Duration.ofNanos(412_500_000));
            assertThat(r.coldStart()).isTrue();
        }

        @Test
        @DisplayName("restored from a SnapStart snapshot counts as cold through its Restore Duration")
        void snapStartRestore() {
            LambdaReport r = LambdaReport.parse("REPORT RequestId: a\tDuration: 5.00 ms\tBilled Duration: 100 ms\t"
                    + "Memory Size: 128 MB\tMax Memory Used: 60 MB\tRestore Duration: 300.10 ms\t"
                    + "Billed Restore Duration: 95 ms").orElseThrow();
            assertThat(r.initDuration()).isEmpty();
            assertThat(r.restoreDuration()).contains(Duration.ofNanos(300_100_000));
            assertThat(r.coldStart()).isTrue();
        }
    }

    @Nested
    @DisplayName("of a warm call")
    class WarmCall {
        @Test
        @DisplayName("has no Init Duration and is not a cold start")
        void noInit() {
            LambdaReport r = LambdaReport.fromLogResult(base64(WARM)).orElseThrow();
            assertThat(r.initDuration()).isEmpty();
            assertThat(r.coldStart()).isFalse();
            assertThat(r.duration()).contains(Duration.ofNanos(2_010_000));
        }

        @Test
        @DisplayName("is read from the last REPORT line when the tail holds two")
        void lastLineWins() {
            LambdaReport r = LambdaReport.parse(COLD + WARM).orElseThrow();
            assertThat(r.requestId()).contains("71c0");
        }
    }

    @Nested
    @DisplayName("when the tail does not say")
    class Unknown {
        @Test
        @DisplayName("gives nothing for a missing header, bad base64 or a tail cut before REPORT")
        void nothing() {
            assertThat(LambdaReport.fromLogResult(null)).isEmpty();
            assertThat(LambdaReport.fromLogResult("%%% not base64")).isEmpty();
            assertThat(LambdaReport.fromLogResult(base64("END RequestId: x\n"))).isEmpty();
        }

        @Test
        @DisplayName("leaves a garbled figure unknown instead of guessing")
        void garbledFigure() {
            LambdaReport r = LambdaReport.parse("REPORT RequestId: b\tDuration: fast ms\tBilled Duration: 1 s\t"
                    + "Memory Size: -5 MB").orElseThrow();
            assertThat(r.duration()).isEmpty();
            assertThat(r.billedDuration()).isEmpty();
            assertThat(r.memorySizeMb()).isEmpty();
            assertThat(r.coldStart()).isFalse();
        }
    }
}
