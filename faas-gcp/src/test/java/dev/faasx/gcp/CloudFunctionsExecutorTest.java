package dev.faasx.gcp;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceClient;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.Provenance;
import dev.faasx.core.ThrottledException;
import dev.faasx.gcp.local.LocalCloudFunctions;
import dev.faasx.gcp.support.FunctionJars;
import dev.faasx.gcp.support.LocalGcp;
import dev.faasx.testkit.CompatibilityFunction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The executor against the local emulator, beyond the compatibility kit: deployments that fail, the operation poll,
 * ID tokens, limits and configuration. One function (deployed once) serves the tests that call a function.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudFunctionsExecutorTest {
    private static final long JOB = 41;
    private static final Duration TOKEN_LIFETIME = Duration.ofSeconds(3);

    private final LocalCloudFunctions gcf = LocalCloudFunctions.builder().buildDelay(Duration.ofMillis(400))
            .idTokenLifetime(TOKEN_LIFETIME).build();
    private final FunctionServiceClient client = LocalGcp.client(gcf);
    private final CloudFunctionsExecutor executor = LocalGcp.executor(gcf, client)
            .idTokenRefreshMargin(Duration.ofSeconds(1)).build();
    private final FunctionPackage.Jar jar = FunctionJars.jar(CompatibilityFunction.class);
    private FaasDeployment deployment;

    @BeforeAll
    void deployShared() {
        deployment = await(executor.deploy(JOB, jar, sharedConfig()), Duration.ofMinutes(2));
    }

    private static FaasConfig sharedConfig() {
        return FaasConfig.builder().memoryMb(256).maxConcurrency(2).timeout(Duration.ofSeconds(10))
                .envVar("GREETING", "grüße, \"world\" & more").build();
    }

    @AfterAll
    void close() {
        executor.close();
        client.close();
        gcf.close();
    }

    @Nested
    @DisplayName("a deployment")
    class Deployments {
        @Test
        @DisplayName("is described with its URL, memory, timeout and package size, and the function is ACTIVE")
        void describesTheFunction() {
            assertThat(deployment.functionId()).isEqualTo(executor.functionName(JOB))
                    .startsWith("projects/faasx-local/locations/europe-west1/functions/faasx-job-41");
            assertThat(deployment.endpoint()).hasValueSatisfying(uri -> assertThat(uri.getHost()).isEqualTo("127.0.0.1"));
            assertThat(deployment.memoryMb()).hasValue(256);
            assertThat(deployment.timeout()).hasValue(Duration.ofSeconds(10));
            assertThat(deployment.packageSizeBytes()).isPresent();
            Function fn = client.getFunction(executor.functionName(JOB));
            assertThat(fn.getState()).isEqualTo(Function.State.ACTIVE);
            assertThat(fn.getBuildConfig().getEntryPoint()).isEqualTo("dev.faasx.gcp.function.JobHttpFunction");
            assertThat(fn.getBuildConfig().getRuntime()).isEqualTo("java21");
            assertThat(fn.getServiceConfig().getEnvironmentVariablesMap())
                    .containsEntry("FAASX_HANDLER", CompatibilityFunction.class.getName());
            assertThat(fn.getServiceConfig().getMaxInstanceRequestConcurrency()).isEqualTo(2);
        }

        @Test
        @DisplayName("polls the long-running operation with backing-off delays while the build runs")
        void pollsTheOperation() {
            long before = gcf.operationPolls();
            long start = System.nanoTime();
            await(executor.deploy(JOB + 100, jar, FaasConfig.defaults()), Duration.ofMinutes(2));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            long polls = gcf.operationPolls() - before;
            await(executor.undeploy(JOB + 100));
            // The build alone takes 400 ms; polls start at 20 ms and grow by half up to 200 ms.
            assertThat(polls).isBetween(4L, 4 + took.toMillis() / 20);
        }

        @Test
        @DisplayName("that outlasts the deploy timeout fails with FaasTimeoutException naming the operation")
        void boundedByTheDeployTimeout() {
            try (FunctionServiceClient own = LocalGcp.client(gcf);
                 CloudFunctionsExecutor impatient = LocalGcp.executor(gcf, own)
                    .deployTimeout(Duration.ofMillis(150)).build()) {
                FaasTimeoutException e = failureOf(impatient.deploy(JOB + 101, FunctionJars.jar(
                        CompatibilityFunction.class), FaasConfig.defaults()), FaasTimeoutException.class);
                assertThat(e.reason()).contains("operations/operation-").contains("still running");
            }
            await(executor.undeploy(JOB + 101).exceptionally(t -> null));
            awaitUndeployable(JOB + 101);
        }

        @Test
        @DisplayName("whose build fails (entry point missing from the JAR) fails with Google's build error")
        void failedBuild() throws IOException {
            byte[] source = zip(Map.of("function.jar", FunctionJars.fatJarBytes(CompatibilityFunction.class)));
            InvalidRequestException e = failureOf(executor.deploy(JOB + 102,
                    FunctionPackage.sourceBundle(source, "java21", "com.example.Missing"), FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("Build failed").contains("com.example.Missing");
            Function fn = client.getFunction(executor.functionName(JOB + 102));
            assertThat(fn.getState()).isEqualTo(Function.State.FAILED);
            assertThat(fn.getStateMessages(0).getMessage()).contains("com.example.Missing");
            FaasHealth health = await(executor.healthCheck(JOB + 102));
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).hasValueSatisfying(d -> assertThat(d).contains("FAILED"));
            dev.faasx.core.FunctionNotFoundException call = failureOf(executor.invokeWithMetrics(
                    JobCall.of(JOB + 102, new byte[] {1})), dev.faasx.core.FunctionNotFoundException.class);
            assertThat(call.reason()).contains("FAILED").contains("com.example.Missing");
            await(executor.undeploy(JOB + 102));
        }

        @Test
        @DisplayName("that updates a function leaves the previous revision answering until the new one is active")
        void updateKeepsServing() {
            CompletableFuture<FaasDeployment> update = executor.deploy(JOB, jar, sharedConfig());
            try (FunctionServiceClient own = LocalGcp.client(gcf);
                 CloudFunctionsExecutor fresh = LocalGcp.executor(gcf, own).build()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (client.getFunction(executor.functionName(JOB)).getState() != Function.State.DEPLOYING
                        && !update.isDone() && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(update).as("the update was still running").isNotDone();
                assertThat(await(fresh.invoke(JobCall.of(JOB, "during".getBytes(StandardCharsets.UTF_8)))).body())
                        .isEqualTo("during".getBytes(StandardCharsets.UTF_8));
            }
            assertThat(await(update, Duration.ofMinutes(2)).jobId()).isEqualTo(JOB);
            assertThat(client.getFunction(executor.functionName(JOB)).getServiceConfig().getRevision()).endsWith("-00002");
        }

        @Test
        @DisplayName("of a source project without a prebuilt JAR fails: the emulator builds no sources")
        void sourceProjectWithoutJar() throws IOException {
            byte[] source = zip(Map.of("pom.xml", "<project/>".getBytes(StandardCharsets.UTF_8)));
            InvalidRequestException e = failureOf(executor.deploy(JOB + 103,
                    FunctionPackage.sourceBundle(source, "java17", "com.example.Fn"), FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("builds no sources");
            await(executor.undeploy(JOB + 103));
        }

        @Test
        @DisplayName("of a package kind Cloud Functions cannot run is refused naming the kinds it can")
        void refusesOtherKinds() {
            InvalidRequestException e = failureOf(executor.deploy(JOB + 104,
                    FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"), FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("NATIVE_BOOTSTRAP").contains("JAR").contains("SOURCE_BUNDLE");
        }

        @Test
        @DisplayName("of a JAR without the adapter is refused before anything is uploaded, saying how to build it")
        void refusesThinJar() {
            InvalidRequestException e = failureOf(executor.deploy(JOB + 105,
                    dev.faasx.testkit.HandlerJar.of(CompatibilityFunction.class), FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("dev.faasx.gcp.function.JobHttpFunction").contains("fat JAR");
            assertThat(gcf.functionCount()).isGreaterThanOrEqualTo(1);
        }

        @Test
        @DisplayName("with invalid provider options lists every problem")
        void refusesBadOptions() {
            FaasConfig config = FaasConfig.builder().providerOption("gcp.runtime", "java8")
                    .providerOption("gcp.ingress", "EVERYWHERE").envVar("K_SERVICE", "x").build();
            InvalidRequestException e = failureOf(executor.deploy(JOB + 106, jar, config),
                    InvalidRequestException.class);
            assertThat(e.violations()).hasSize(3);
        }
    }

    @Nested
    @DisplayName("a call")
    class Calls {
        @Test
        @DisplayName("sees the configured environment variables, and faasx's own")
        void environmentReachesTheFunction() {
            assertThat(text(call(CompatibilityFunction.envCommand("GREETING")))).isEqualTo("grüße, \"world\" & more");
            assertThat(text(call(CompatibilityFunction.envCommand("K_SERVICE")))).isEqualTo("faasx-job-41");
        }

        @Test
        @DisplayName("carries the adapter's figures as reported by the function, and the execution id")
        void metricsCarryTheirProvenance() {
            Invocation invocation = await(executor.invokeWithMetrics(JobCall.of(JOB, new byte[] {1, 2})));
            assertThat(invocation.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(invocation.metrics().coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(invocation.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(invocation.metrics().memorySizeMb().value()).hasValue(256L);
            assertThat(invocation.metrics().requestId()).hasValueSatisfying(id -> assertThat(id).hasSize(12));
        }

        @Test
        @DisplayName("beyond the function's concurrency limit is throttled with the retry delay the URL gives")
        void throttledBeyondTheLimit() {
            List<CompletableFuture<Invocation>> calls = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                calls.add(executor.invokeWithMetrics(JobCall.of(JOB,
                        CompatibilityFunction.sleepCommand(Duration.ofMillis(1500)))));
            }
            int ok = 0;
            int throttled = 0;
            for (CompletableFuture<Invocation> call : calls) {
                try {
                    await(call);
                    ok++;
                } catch (ThrottledException t) {
                    assertThat(t.retryAfter()).hasValue(Duration.ofSeconds(1));
                    throttled++;
                }
            }
            assertThat(ok).isBetween(1, 2);
            assertThat(throttled).isEqualTo(6 - ok);
        }

        @Test
        @DisplayName("reuses its cached ID token, and fetches a new one shortly before it expires")
        void refreshesTheIdToken() throws InterruptedException {
            call("warm".getBytes(StandardCharsets.UTF_8));
            long before = gcf.issuedIdTokens();
            call("a".getBytes(StandardCharsets.UTF_8));
            call("b".getBytes(StandardCharsets.UTF_8));
            assertThat(gcf.issuedIdTokens()).isEqualTo(before);
            // Tokens live 3 s and are replaced 1 s before they expire: after 2.2 s the cached one is stale.
            Thread.sleep(TOKEN_LIFETIME.minusMillis(800).toMillis());
            call("c".getBytes(StandardCharsets.UTF_8));
            assertThat(gcf.issuedIdTokens()).isEqualTo(before + 1);
        }

        @Test
        @DisplayName("with an ID token the function does not accept is refused with AccessDeniedException")
        void foreignTokenIsRefused() {
            try (LocalCloudFunctions other = LocalCloudFunctions.start();
                 FunctionServiceClient own = LocalGcp.client(gcf);
                 CloudFunctionsExecutor stranger = LocalGcp.executor(gcf, own)
                         .idTokenProvider(other.credentials()).build()) {
                AccessDeniedException e = failureOf(stranger.invokeWithMetrics(JobCall.of(JOB, new byte[] {1})),
                        AccessDeniedException.class);
                assertThat(e.status()).hasValue(403);
                assertThat(e.mayHaveRun()).isFalse();
            }
        }

        @Test
        @DisplayName("with a body over Cloud Functions' 32 MiB is refused before it is sent")
        void oversizedBody() {
            byte[] body = new byte[24 * 1024 * 1024 + 1];
            InvalidRequestException e = failureOf(executor.invokeWithMetrics(JobCall.of(JOB, body)),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("32");
        }
    }

    @Nested
    @DisplayName("the builder")
    class Building {
        @Test
        @DisplayName("names a missing project id and region")
        void namesWhatIsMissing() {
            assertThatThrownBy(() -> CloudFunctionsExecutor.builder().environment(Map.of()).client(client).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("project id").hasMessageContaining("GOOGLE_CLOUD_PROJECT")
                    .hasMessageContaining("region").hasMessageContaining("GOOGLE_CLOUD_REGION");
            assertThatThrownBy(() -> CloudFunctionsExecutor.builder().environment(Map.of("GOOGLE_CLOUD_PROJECT",
                    "faasx-local")).client(client).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("region").hasMessageNotContaining("project id");
            assertThatThrownBy(() -> CloudFunctionsExecutor.builder().projectId("faasx-local").region("europe-west1")
                    .functionNamePrefix("Not_Valid").client(client).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not_Valid");
        }

        @Test
        @DisplayName("takes project and region from the environment")
        void readsTheEnvironment() {
            try (CloudFunctionsExecutor fromEnv = CloudFunctionsExecutor.builder()
                    .environment(Map.of("GOOGLE_CLOUD_PROJECT", "my-project", "GOOGLE_CLOUD_REGION", "us-central1"))
                    .client(client).build()) {
                assertThat(fromEnv.functionName(3)).isEqualTo("projects/my-project/locations/us-central1/functions/faasx-job-3");
                assertThat(fromEnv.functionName(-3)).endsWith("/faasx-job-n3");
            }
        }
    }

    private JobOutput call(byte[] body) {
        return await(executor.invoke(JobCall.of(JOB, body)));
    }

    private static String text(JobOutput output) {
        return new String(output.body(), StandardCharsets.UTF_8);
    }

    private void awaitUndeployable(long jobId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                await(executor.undeploy(jobId));
                return;
            } catch (FaasException e) {
                // still deploying: try again
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static byte[] zip(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
