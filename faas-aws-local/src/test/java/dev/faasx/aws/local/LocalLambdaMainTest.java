package dev.faasx.aws.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("LocalLambdaMain reads its command line")
class LocalLambdaMainTest {
    @Test
    @DisplayName("starts an emulator on the port and with the limits given")
    void options() {
        try (LocalLambda lambda = LocalLambdaMain.parse(new String[] {"--port", "0", "--account-concurrency", "50",
            "--unreserved-minimum", "10", "--init-timeout-seconds", "3", "--state-delay-ms", "20"}).build()) {
            assertThat(lambda.port()).isPositive();
            assertThat(lambda.endpoint().getHost()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    @DisplayName("refuses unknown options, missing values and values that are not numbers, naming them")
    void badOptions() {
        assertThatThrownBy(() -> LocalLambdaMain.parse(new String[] {"--colour", "blue"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--colour");
        assertThatThrownBy(() -> LocalLambdaMain.parse(new String[] {"--port"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing value after --port");
        assertThatThrownBy(() -> LocalLambdaMain.parse(new String[] {"--port", "eighty"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eighty");
        assertThatThrownBy(() -> LocalLambdaMain.parse(new String[] {"--port", "70000"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("70000");
    }

    @Test
    @DisplayName("refuses an unreserved minimum above the account limit")
    void inconsistentLimits() {
        assertThatThrownBy(() -> LocalLambda.builder().accountConcurrency(10).unreservedMinimum(20).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("unreservedMinimum");
    }
}
