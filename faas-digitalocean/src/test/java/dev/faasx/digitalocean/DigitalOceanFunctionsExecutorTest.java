package dev.faasx.digitalocean;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.digitalocean.local.LocalDigitalOcean;
import dev.faasx.digitalocean.local.LocalDigitalOceanExtension;
import dev.faasx.testkit.CompatibilityFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DigitalOceanFunctionsExecutorTest {
    @RegisterExtension
    static final LocalDigitalOceanExtension DO = new LocalDigitalOceanExtension();

    private static final FaasConfig CONFIG = FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(20))
            .build();

    /** A bootstrap that answers job {@code jobId} with "hi" after sleeping {@code sleep} seconds. */
    private static FunctionPackage.NativeZip answering(long jobId, String sleep) {
        return TestFunctions.script("cat > /dev/null\nsleep " + sleep + "\necho '{\"job_id\":" + jobId
                + ",\"result\":[104,105],\"success\":true}'");
    }

    private static DigitalOceanFunctionsExecutor executor(LocalDigitalOcean local) {
        return executor(local, b -> { });
    }

    private static DigitalOceanFunctionsExecutor executor(LocalDigitalOcean local,
                                                          Consumer<DigitalOceanFunctionsExecutorBuilder> more) {
        DigitalOceanFunctionsExecutorBuilder b = DigitalOceanFunctionsExecutor.builder().apiBaseUrl(local.baseUrl())
                .token(local.token()).pollInterval(Duration.ofMillis(20), Duration.ofMillis(200));
        more.accept(b);
        return b.build();
    }

    @Nested
    @DisplayName("the namespace")
    class Namespace {
        @Test
        @DisplayName("is created by label when missing, then found by the next executor")
        void createdThenFound(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor first = executor(local, b -> b.namespaceLabel("created-once"));
                 DigitalOceanFunctionsExecutor second = executor(local, b -> b.namespaceLabel("created-once"))) {
                String name = await(first.namespace());
                assertThat(name).startsWith("fn-");
                assertThat(await(second.namespace())).isEqualTo(name);
                await(first.deleteNamespace());
            }
        }

        @Test
        @DisplayName("is not created past DigitalOcean's limit of 10 per account, with an error that says so")
        void limit() {
            try (LocalDigitalOcean full = LocalDigitalOcean.builder().build()) {
                for (int i = 0; i < 10; i++) {
                    full.createNamespace("taken-" + i);
                }
                try (DigitalOceanFunctionsExecutor executor = executor(full)) {
                    InvalidRequestException e = failureOf(executor.deploy(1, answering(1, "0"), CONFIG),
                            InvalidRequestException.class);
                    assertThat(e.reason()).contains("10 DigitalOcean Functions namespaces").contains("limit of 10");
                }
            }
        }

        @Test
        @DisplayName("refuses a wrong token as access denied")
        void wrongToken(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
                    .apiBaseUrl(local.baseUrl()).token("not-the-token").build()) {
                FaasException e = failureOf(executor.getDeployment(1), FaasException.class);
                assertThat(e).isInstanceOf(dev.faasx.core.AccessDeniedException.class);
                assertThat(e.status()).hasValue(401);
            }
        }
    }

    @Nested
    @DisplayName("deploy")
    class Deploy {
        @Test
        @DisplayName("refuses memory, keep-warm instances and JARs that DigitalOcean cannot take, naming its limits")
        void refusesLimits(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                InvalidRequestException e = failureOf(executor.deploy(2, answering(2, "0"),
                        CONFIG.toBuilder().memoryMb(2048).keepWarmInstances(1).build()),
                        InvalidRequestException.class);
                assertThat(e.violations()).anySatisfy(v -> assertThat(v).contains("between 128 and 1024 MB"))
                        .anySatisfy(v -> assertThat(v).contains("cannot keep instances warm"));
                InvalidRequestException jar = failureOf(executor.deploy(2, FunctionPackage.jar(new byte[] {1},
                        "a.B"), CONFIG), InvalidRequestException.class);
                assertThat(jar.reason()).contains("NATIVE_BOOTSTRAP and SOURCE_BUNDLE").contains("no Java runtime");
            }
        }

        @Test
        @DisplayName("passes environment variables to the bootstrap as the action's environment")
        void environment(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(3, TestFunctions.script("cat > /dev/null\nprintf '{\"job_id\":3,\"result_base64"
                        + "\":\"%s\",\"success\":true}' \"$(printf %s \"$GREETING\" | base64)\""),
                        CONFIG.toBuilder().envVar("GREETING", "grüezi mitenand").build()));
                assertThat(new String(await(executor.invoke(JobCall.of(3, new byte[0]))).body(), UTF_8))
                        .isEqualTo("grüezi mitenand");
            }
        }

        @Test
        @DisplayName("describes the action with its limits and the time it was updated")
        void describes(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(4, answering(4, "0"), CONFIG.toBuilder().memoryMb(512).build()));
                var d = await(executor.getDeployment(4));
                assertThat(d.functionId()).isEqualTo("faasx-job-4");
                assertThat(d.memoryMb()).hasValue(512);
                assertThat(d.timeout()).contains(Duration.ofSeconds(20));
                assertThat(d.deployedAt()).isPresent();
                assertThat(d.endpoint().orElseThrow().toString()).endsWith("/actions/faasx-job-4");
            }
        }
    }

    @Nested
    @DisplayName("an invocation")
    class Invoke {
        @Test
        @DisplayName("reports the activation record's figures: cold with init time first, then warm")
        void metricsFromTheActivationRecord(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(10, answering(10, "0"), CONFIG));
                Invocation cold = await(executor.invokeWithMetrics(JobCall.of(10, new byte[] {1})));
                Invocation warm = await(executor.invokeWithMetrics(JobCall.of(10, new byte[] {1})));
                assertThat(cold.output().body()).isEqualTo("hi".getBytes(UTF_8));
                assertThat(cold.metrics().coldStart()).isEqualTo(dev.faasx.core.Figure.reported(true));
                assertThat(cold.metrics().initDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
                assertThat(warm.metrics().coldStart()).isEqualTo(dev.faasx.core.Figure.reported(false));
                assertThat(warm.metrics().initDuration().isKnown()).isFalse();
                assertThat(warm.metrics().memorySizeMb()).isEqualTo(dev.faasx.core.Figure.reported(256L));
                assertThat(warm.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
                assertThat(warm.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
                assertThat(warm.metrics().memoryUsedMb().isKnown()).isFalse();
                Activation record = await(executor.activation(warm.metrics().requestId().orElseThrow()));
                assertThat(record.waitTime()).isPresent();
                assertThat(record.coldStart()).isFalse();
                assertThat(record.succeeded()).isTrue();
            }
        }

        @Test
        @DisplayName("that the platform answers 202 is followed by polling the activation until it is done")
        void acceptedThenPolled() {
            try (LocalDigitalOcean local = LocalDigitalOcean.builder().blockingCutoff(Duration.ofMillis(200)).build();
                 DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(11, answering(11, "1"), CONFIG));
                Invocation inv = await(executor.invokeWithMetrics(JobCall.of(11, new byte[0])));
                assertThat(inv.output().body()).isEqualTo("hi".getBytes(UTF_8));
                assertThat(inv.metrics().executionDuration().value().orElseThrow())
                        .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            }
        }

        @Test
        @DisplayName("over 1 MB of parameters is refused before anything is sent")
        void oversizeParametersRefused() {
            try (LocalDigitalOcean local = LocalDigitalOcean.builder().invocationsPerMinute(2).build();
                 DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(12, answering(12, "0"), CONFIG));
                InvalidRequestException e = failureOf(executor.invoke(JobCall.of(12, new byte[800 * 1024])),
                        InvalidRequestException.class);
                assertThat(e.reason()).contains("at most 1 MB");
                // Nothing reached the platform: both calls of the per-minute allowance are still there.
                await(executor.invoke(JobCall.of(12, new byte[0])));
                await(executor.invoke(JobCall.of(12, new byte[0])));
            }
        }

        @Test
        @DisplayName("past the per-minute limit fails as throttled, with the platform's Retry-After")
        void throttled() {
            try (LocalDigitalOcean local = LocalDigitalOcean.builder().invocationsPerMinute(1).build();
                 DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(13, answering(13, "0"), CONFIG));
                await(executor.invoke(JobCall.of(13, new byte[0])));
                ThrottledException e = failureOf(executor.invoke(JobCall.of(13, new byte[0])),
                        ThrottledException.class);
                assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(1),
                        Duration.ofSeconds(60)));
                assertThat(e.mayHaveRun()).isFalse();
                assertThat(e.status()).hasValue(429);
            }
        }

        @Test
        @DisplayName("of a job that fails is an application error with the function's message")
        void applicationError(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(14, TestFunctions.compatibilityFunction(), CONFIG));
                FunctionErrorException e = failureOf(executor.invoke(JobCall.of(14,
                        CompatibilityFunction.failCommand("it broke"))), FunctionErrorException.class);
                assertThat(e.reason()).contains("it broke");
                assertThat(e.requestId()).isPresent();
            }
        }

        @Test
        @DisplayName("of a bootstrap that answers nothing is an application error saying so")
        void silentBootstrap(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(15, TestFunctions.script("cat > /dev/null\nexit 3"), CONFIG));
                FunctionErrorException e = failureOf(executor.invoke(JobCall.of(15, new byte[0])),
                        FunctionErrorException.class);
                assertThat(e.reason()).contains("status 3 without a JSON answer");
                assertThat(e.errorType()).contains("application error");
            }
        }

        @Test
        @DisplayName("of an action that does not return a dictionary is a developer error")
        void developerError(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(16, FunctionPackage.sourceBundle(zip("__main__.py",
                        "def main(args):\n    return 'not a dict'\n"), "python:3.11", "main"), CONFIG));
                FunctionErrorException e = failureOf(executor.invoke(JobCall.of(16, new byte[0])),
                        FunctionErrorException.class);
                assertThat(e.errorType()).contains("action developer error");
                assertThat(e.reason()).isEqualTo("The action did not return a dictionary.");
            }
        }

        @Test
        @DisplayName("that outlives the action's timeout fails with FaasTimeoutException")
        void timeout(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(17, answering(17, "5"), CONFIG.toBuilder().timeout(Duration.ofSeconds(1))
                        .build()));
                FaasTimeoutException e = failureOf(executor.invoke(JobCall.of(17, new byte[0])),
                        FaasTimeoutException.class);
                assertThat(e.reason()).isEqualTo("The action exceeded its time limits of 1000 milliseconds.");
                assertThat(e.timeout()).contains(Duration.ofSeconds(1));
            }
        }

        @Test
        @DisplayName("of a runtime the platform cannot run is a retryable whisk internal error")
        void whiskInternalError(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(18, FunctionPackage.sourceBundle(zip("main.go", "package main\n"), "go:1.20",
                        "Main"), CONFIG));
                ProviderException e = failureOf(executor.invoke(JobCall.of(18, new byte[0])),
                        ProviderException.class);
                assertThat(e.reason()).contains("whisk internal error");
                assertThat(e.isRetryable()).isTrue();
            }
        }

        @Test
        @DisplayName("of a source bundle that answers plain JSON gets that JSON as its output")
        void sourceBundle(LocalDigitalOcean local) {
            org.junit.jupiter.api.Assumptions.assumeTrue(local.runsNode(), "node is not installed");
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(19, FunctionPackage.sourceBundle(zip("index.js",
                        "exports.hello = (args) => ({job: args.job_id, hi: true});\n"), "nodejs:18", "hello"),
                        CONFIG));
                assertThat(new String(await(executor.invoke(JobCall.of(19, new byte[0]))).body(), UTF_8))
                        .isEqualTo("{\"job\":19,\"hi\":true}");
            }
        }
    }

    @Nested
    @DisplayName("warm and persistent workers")
    class Warm {
        @Test
        @DisplayName("a warm-up makes the next call a warm start")
        void warmUp(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local, b -> b.healthProbe(true))) {
                await(executor.deploy(20, answering(20, "0"), CONFIG));
                await(executor.warm(20));
                Invocation inv = await(executor.invokeWithMetrics(JobCall.of(20, new byte[0])));
                assertThat(inv.metrics().coldStart()).isEqualTo(dev.faasx.core.Figure.reported(false));
                assertThat(await(executor.healthCheck(20)).healthy()).isTrue();
            }
        }

        @Test
        @DisplayName("in persistent mode one bootstrap process answers every call of a warm instance")
        void persistentWorker(LocalDigitalOcean local) {
            try (DigitalOceanFunctionsExecutor executor = executor(local)) {
                await(executor.deploy(21, TestFunctions.compatibilityFunction(), CONFIG.toBuilder()
                        .providerOption(DigitalOceanFunctionsExecutor.WORKER_MODE_OPTION, "persistent").build()));
                Invocation first = await(executor.invokeWithMetrics(JobCall.of(21, "one".getBytes(UTF_8))));
                Invocation second = await(executor.invokeWithMetrics(JobCall.of(21, "two".getBytes(UTF_8))));
                assertThat(first.output().body()).isEqualTo("one".getBytes(UTF_8));
                assertThat(second.output().body()).isEqualTo("two".getBytes(UTF_8));
                assertThat(second.metrics().coldStart()).isEqualTo(dev.faasx.core.Figure.reported(false));
                // No JVM start in the warm call: far below the cold one, which started the worker.
                assertThat(second.metrics().executionDuration().value().orElseThrow())
                        .isLessThan(first.metrics().executionDuration().value().orElseThrow());
            }
        }
    }

    @Test
    @DisplayName("the builder refuses an unknown region and a blank token, naming the setting")
    void builderRefusesBadSettings() {
        assertThatThrownBy(() -> DigitalOceanFunctionsExecutor.builder().region("mars1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("region");
        assertThatThrownBy(() -> DigitalOceanFunctionsExecutor.builder().token(" "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token");
    }

    static byte[] zip(String name, String content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content.getBytes(UTF_8));
            z.closeEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
