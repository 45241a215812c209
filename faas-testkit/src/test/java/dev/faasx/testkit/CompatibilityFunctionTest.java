package dev.faasx.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CompatibilityFunctionTest {
    private final CompatibilityFunction function = new CompatibilityFunction();

    private JobOutput handle(byte[] body, Map<String, String> metadata) throws Exception {
        return function.handle(JobCall.builder(7).body(body).metadata(metadata).build());
    }

    @Nested
    @DisplayName("a plain body")
    class Echo {
        @Test
        void isEchoedWithItsMetadata() throws Exception {
            byte[] body = {0, (byte) 0xff, 'f', 'a', 'a', 's', 'x'};
            JobOutput out = handle(body, Map.of("trace", "abc"));
            assertThat(out.body()).isEqualTo(body);
            assertThat(out.metadata()).containsExactly(Map.entry("trace", "abc"));
        }

        @Test
        void thatContainsACommandLaterIsEchoed() throws Exception {
            byte[] body = " faasx-kit:fail:boom".getBytes(UTF_8);
            assertThat(handle(body, Map.of()).body()).isEqualTo(body);
        }

        @Test
        void thatIsAnIncompleteCommandPrefixIsEchoed() throws Exception {
            byte[] body = "faasx-kit:fai".getBytes(UTF_8);
            assertThat(handle(body, Map.of()).body()).isEqualTo(body);
        }
    }

    @Nested
    @DisplayName("the fail command")
    class Fail {
        @Test
        void failsWithTheUtf8Message() {
            assertThatThrownBy(() -> handle(CompatibilityFunction.failCommand("boom — ünïcode"), Map.of()))
                    .isInstanceOf(CompatibilityFunction.RequestedFailure.class)
                    .hasMessage("boom — ünïcode");
        }
    }

    @Nested
    @DisplayName("the sleep command")
    class Sleep {
        @Test
        void echoesTheBodyAndMetadataAfterSleeping() throws Exception {
            byte[] body = CompatibilityFunction.sleepCommand(Duration.ofMillis(5));
            JobOutput out = handle(body, Map.of("k", "v"));
            assertThat(out.body()).isEqualTo(body);
            assertThat(out.metadata()).containsEntry("k", "v");
        }

        @Test
        void endsWhenInterrupted() {
            byte[] body = CompatibilityFunction.sleepCommand(Duration.ofMinutes(10));
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Thread sleeper = new Thread(() -> {
                try {
                    handle(body, Map.of());
                    thrown.complete(null);
                } catch (Exception e) {
                    thrown.complete(e);
                }
            });
            sleeper.start();
            sleeper.interrupt();
            assertThat(FutureAssertions.await(thrown)).isInstanceOf(InterruptedException.class);
        }

        @Test
        void rejectsWhatIsNotAWholeNumberOfMilliseconds() {
            for (String arg : new String[] {"", "-1", "1.5", "ten", "900001", "99999999999999999999"}) {
                assertThatThrownBy(() -> handle(("faasx-kit:sleep:" + arg).getBytes(UTF_8), Map.of()))
                        .as("sleep argument '%s'", arg)
                        .isInstanceOf(CompatibilityFunction.RequestedFailure.class)
                        .hasMessageContaining("whole milliseconds");
            }
        }

        @Test
        void commandBuilderRejectsDurationsOutsideTheProtocol() {
            assertThatThrownBy(() -> CompatibilityFunction.sleepCommand(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> CompatibilityFunction.sleepCommand(Duration.ofSeconds(901)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("the env command")
    class Env {
        @Test
        void answersAValueBoundByThePlatform() throws Exception {
            JobOutput out = FunctionEnvironment.with(Map.of("FAASX_TEST_VALUE", "grüße"),
                    () -> handle(CompatibilityFunction.envCommand("FAASX_TEST_VALUE"), Map.of("m", "1")));
            assertThat(new String(out.body(), UTF_8)).isEqualTo("grüße");
            assertThat(out.metadata()).containsEntry("m", "1");
        }

        @Test
        void answersAValueOfTheProcessEnvironment() throws Exception {
            Optional<Map.Entry<String, String>> any = System.getenv().entrySet().stream()
                    .filter(e -> e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")).findFirst();
            assumeTrue(any.isPresent(), "the process has no environment variables");
            JobOutput out = handle(CompatibilityFunction.envCommand(any.get().getKey()), Map.of());
            assertThat(new String(out.body(), UTF_8)).isEqualTo(any.get().getValue());
        }

        @Test
        void failsForAnUnsetVariable() {
            assertThatThrownBy(() -> handle(CompatibilityFunction.envCommand("FAASX_SURELY_UNSET_42"), Map.of()))
                    .isInstanceOf(CompatibilityFunction.RequestedFailure.class)
                    .hasMessageContaining("FAASX_SURELY_UNSET_42");
        }

        @Test
        void failsForAnInvalidName() {
            assertThatThrownBy(() -> handle("faasx-kit:env:1=2".getBytes(UTF_8), Map.of()))
                    .isInstanceOf(CompatibilityFunction.RequestedFailure.class)
                    .hasMessageContaining("environment variable name");
            assertThatThrownBy(() -> CompatibilityFunction.envCommand("A-B"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("FunctionEnvironment")
    class Environment {
        @Test
        void bindingsNestAndAreRestored() throws Exception {
            String seen = FunctionEnvironment.with(Map.of("FAASX_A", "outer"), () -> {
                String inner = FunctionEnvironment.with(Map.of("FAASX_A", "inner"),
                        () -> FunctionEnvironment.get("FAASX_A").orElseThrow());
                return inner + "/" + FunctionEnvironment.get("FAASX_A").orElseThrow();
            });
            assertThat(seen).isEqualTo("inner/outer");
            assertThat(FunctionEnvironment.get("FAASX_A")).isEqualTo(Optional.ofNullable(System.getenv("FAASX_A")));
        }

        @Test
        void bindingIsRestoredWhenTheActionThrows() {
            assertThatThrownBy(() -> FunctionEnvironment.with(Map.of("FAASX_B", "x"), () -> {
                throw new IllegalStateException("handler failed");
            })).hasMessage("handler failed");
            assertThat(FunctionEnvironment.get("FAASX_B")).isEmpty();
        }

        @Test
        void bindingBelongsToOneThread() throws Exception {
            Optional<String> elsewhere = FunctionEnvironment.with(Map.of("FAASX_C", "here"),
                    () -> CompletableFuture.supplyAsync(() -> FunctionEnvironment.get("FAASX_C")).join());
            assertThat(elsewhere).isEmpty();
        }
    }
}
