package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FaasConfigTest {

    @Nested
    @DisplayName("valid configurations")
    class Valid {
        @Test
        void defaultsFollowTheSpec() {
            FaasConfig config = FaasConfig.defaults();

            assertThat(config.memoryMb()).isEqualTo(512);
            assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(300));
            assertThat(config.maxConcurrency()).isEqualTo(100);
            assertThat(config.envVars()).isEmpty();
            assertThat(config.keepWarmInstances()).isZero();
            assertThat(config.providerOptions()).isEmpty();
        }

        @Test
        void limitsAreInclusive() {
            FaasConfig low = FaasConfig.builder().memoryMb(128).timeout(Duration.ofSeconds(1)).maxConcurrency(1)
                    .build();
            FaasConfig high = FaasConfig.builder().memoryMb(10_240).timeout(Duration.ofSeconds(900))
                    .maxConcurrency(1000).keepWarmInstances(1000).build();

            assertThat(low.memoryMb()).isEqualTo(128);
            assertThat(high.keepWarmInstances()).isEqualTo(1000);
        }

        @Test
        void aFractionalTimeoutRoundsUpToWholeSeconds() {
            assertThat(FaasConfig.builder().timeout(Duration.ofMillis(1001)).build().timeoutSeconds()).isEqualTo(2);
            assertThat(FaasConfig.builder().timeout(Duration.ofSeconds(30)).build().timeoutSeconds()).isEqualTo(30);
        }

        @Test
        void collectionsAreCopiedAndImmutable() {
            Map<String, String> env = new HashMap<>(Map.of("A", "1"));
            FaasConfig config = FaasConfig.builder().envVars(env).providerOption("k", "v").build();
            env.put("B", "2");

            assertThat(config.envVars()).containsOnlyKeys("A");
            assertThatThrownBy(() -> config.envVars().put("C", "3")).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> config.providerOptions().put("x", "y"))
                    .isInstanceOf(UnsupportedOperationException.class);
        }

        @Test
        void toBuilderReproducesTheConfig() {
            FaasConfig config = FaasConfig.builder().memoryMb(256).envVar("X", "y").keepWarmInstances(2)
                    .providerOption("aws.architecture", "arm64").build();

            assertThat(config.toBuilder().build()).isEqualTo(config);
        }
    }

    @Nested
    @DisplayName("invalid configurations")
    class Invalid {
        @Test
        void reportsEveryViolationAtOnce() {
            assertThatThrownBy(() -> FaasConfig.builder()
                    .memoryMb(64)
                    .timeout(Duration.ofSeconds(901))
                    .maxConcurrency(0)
                    .keepWarmInstances(-1)
                    .envVar("1BAD", "x")
                    .envVar("NUL", "a\0b")
                    .build())
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                        assertThat(e.violations()).hasSize(6)
                                .anySatisfy(v -> assertThat(v).startsWith("memoryMb"))
                                .anySatisfy(v -> assertThat(v).startsWith("timeout"))
                                .anySatisfy(v -> assertThat(v).startsWith("maxConcurrency"))
                                .anySatisfy(v -> assertThat(v).startsWith("keepWarmInstances"))
                                .anySatisfy(v -> assertThat(v).contains("'1BAD' is invalid"))
                                .anySatisfy(v -> assertThat(v).contains("NUL character"));
                        assertThat(e.isRetryable()).isFalse();
                        assertThat(e.getMessage()).contains("memoryMb", "timeout", "maxConcurrency");
                    });
        }

        @Test
        void aMissingTimeoutIsAViolation() {
            assertThatThrownBy(() -> FaasConfig.builder().timeout(null).build())
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.violations()).containsExactly("timeout must be set"));
        }

        @Test
        void tooShortATimeoutIsAViolation() {
            assertThatThrownBy(() -> FaasConfig.builder().timeout(Duration.ofMillis(500)).build())
                    .isInstanceOf(InvalidRequestException.class);
        }

        @Test
        void keepWarmCannotExceedConcurrency() {
            assertThatThrownBy(() -> FaasConfig.builder().maxConcurrency(2).keepWarmInstances(3).build())
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.violations()).singleElement().asString().startsWith("keepWarmInstances"));
        }

        @Test
        void aNullEnvironmentValueIsAViolationNotACrash() {
            Map<String, String> env = new HashMap<>();
            env.put("EMPTY", null);

            assertThatThrownBy(() -> FaasConfig.builder().envVars(env).build())
                    .isInstanceOfSatisfying(InvalidRequestException.class,
                            e -> assertThat(e.violations()).singleElement().asString().contains("has no value"));
        }
    }
}
