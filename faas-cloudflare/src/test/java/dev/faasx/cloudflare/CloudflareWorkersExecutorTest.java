package dev.faasx.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.cloudflare.support.TestModules;
import dev.faasx.cloudflare.support.Workerd;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.Provenance;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.WorkerModule;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudflareWorkersExecutorTest {
    private static final FaasConfig CONFIG = FaasConfig.builder().timeout(Duration.ofSeconds(10)).build();

    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    private CloudflareWorkersExecutor executor;

    @BeforeAll
    void start() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(Workerd.binary()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).build();
        executor = LocalCloudflare.executor(api).build();
    }

    @AfterAll
    void stop() {
        if (executor != null) {
            executor.close();
        }
        if (api != null) {
            api.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    /** Starts the script's Worker afresh on the runtime, as Cloudflare does when it brings up a new isolate. */
    private void restartIsolate(String script) {
        runtime.deploy(runtime.worker(script).orElseThrow().script());
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static FunctionPackage.WorkerModules job(String source) {
        return FunctionPackage.workerModules("job.js", List.of(WorkerModule.esModule("job.js", source)));
    }

    @Nested
    class DeployingAndInvoking {
        @Test
        void runsAJavaScriptJobWithHonestMetrics() {
            await(executor.deploy(101, job("""
                    export default { job(call) {
                      return new TextDecoder().decode(call.body).toUpperCase() + " for job " + call.jobId;
                    } };"""), CONFIG));

            Invocation first = await(executor.invokeWithMetrics(JobCall.of(101, "hello".getBytes(UTF_8))));

            assertThat(new String(first.output().body(), UTF_8)).isEqualTo("HELLO for job 101");
            assertThat(first.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            // measured by faasx's wrapper inside the Worker, not by Cloudflare's accounting
            assertThat(first.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(first.metrics().coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            // deploy's readiness probe already started the isolate, so even the first call is warm
            assertThat(first.metrics().coldStart().value()).contains(false);
            assertThat(first.metrics().billedDuration().isKnown()).isFalse();
            assertThat(first.metrics().initDuration().isKnown()).isFalse();
            assertThat(first.metrics().requestId()).isPresent();
        }

        @Test
        void reportsTheFirstCallOfANewIsolateAsColdAndWarmingAvoidsIt() {
            await(executor.deploy(106, job("export default { job(call) { return call.body; } };"), CONFIG));
            restartIsolate("faasx-job-106");

            Invocation cold = await(executor.invokeWithMetrics(JobCall.of(106, new byte[] {1})));
            Invocation warm = await(executor.invokeWithMetrics(JobCall.of(106, new byte[] {2})));
            restartIsolate("faasx-job-106");
            await(executor.warm(106));
            Invocation afterWarming = await(executor.invokeWithMetrics(JobCall.of(106, new byte[] {3})));

            assertThat(cold.metrics().coldStart().value()).contains(true);
            assertThat(warm.metrics().coldStart().value()).contains(false);
            assertThat(afterWarming.metrics().coldStart().value()).contains(false);
        }

        @Test
        void runsWebAssemblyCalledFromJavaScript() {
            String js = """
                    import addModule from "./add.wasm";
                    const { add } = new WebAssembly.Instance(addModule, {}).exports;
                    export default { job(call) {
                      const [a, b] = new TextDecoder().decode(call.body).split(",").map(Number);
                      return String(add(a, b));
                    } };""";
            FunctionPackage.WorkerModules pkg = FunctionPackage.workerModules("job.js", List.of(
                    WorkerModule.esModule("job.js", js), WorkerModule.wasm("add.wasm", TestModules.addWasm())));
            await(executor.deploy(102, pkg, CONFIG));

            assertThat(await(executor.invoke(JobCall.of(102, "19,23".getBytes(UTF_8)))).body())
                    .isEqualTo("42".getBytes(UTF_8));
            assertThat(await(executor.invoke(JobCall.of(102, "-5,2000000".getBytes(UTF_8)))).body())
                    .isEqualTo("1999995".getBytes(UTF_8));
        }

        @Test
        void runsAPlainFetchWorkerWithMetadataInHeaders() {
            await(executor.deploy(103, job("""
                    export default { async fetch(request) {
                      const meta = JSON.parse(decodeURIComponent(request.headers.get("x-faasx-metadata")));
                      const body = new Uint8Array(await request.arrayBuffer()).reverse();
                      const out = encodeURIComponent(JSON.stringify({ seen: meta.tenant, job: request.headers.get("x-faasx-job-id") }));
                      return new Response(body, { headers: { "x-faasx-metadata": out } });
                    } };"""), CONFIG));

            var output = await(executor.invoke(JobCall.builder(103).body(new byte[] {1, 2, 3})
                    .metadata("tenant", "acme").build()));

            assertThat(output.body()).containsExactly(3, 2, 1);
            assertThat(output.metadata()).isEqualTo(Map.of("seen", "acme", "job", "103"));
        }

        @Test
        void reportsAFetchWorkersErrorStatusAsAFunctionError() {
            await(executor.deploy(104, job("""
                    export default { fetch() { return new Response("quota exhausted", { status: 422 }); } };"""),
                    CONFIG));

            assertThatThrownBy(() -> await(executor.invoke(JobCall.of(104, new byte[0]))))
                    .isInstanceOf(FunctionErrorException.class)
                    .hasMessageContaining("quota exhausted")
                    .satisfies(e -> assertThat(((FunctionErrorException) e).errorType()).contains("HTTP 422"));
        }

        @Test
        void keepsAll64BitsOfTheJobId() {
            long jobId = Long.MIN_VALUE + 7;
            await(executor.deploy(jobId, job("export default { job(call) { return call.jobId; } };"), CONFIG));

            assertThat(executor.scriptName(jobId)).isEqualTo("faasx-job-n9223372036854775801");
            assertThat(new String(await(executor.invoke(JobCall.of(jobId, new byte[0]))).body(), UTF_8))
                    .isEqualTo(Long.toString(jobId));
            await(executor.undeploy(jobId));
        }

        @Test
        void describesTheDeploymentWithWhatCloudflareReported() {
            FaasDeployment deployed = await(executor.deploy(105, job(
                    "export default { job(call) { return call.body; } };"), CONFIG));
            FaasDeployment described = await(executor.getDeployment(105));

            assertThat(deployed.functionId()).isEqualTo("faasx-job-105");
            assertThat(deployed.endpoint()).contains(api.workerUrl("faasx-job-105"));
            assertThat(deployed.timeout()).contains(Duration.ofSeconds(10));
            assertThat(deployed.deployedAt()).isPresent();
            assertThat(deployed.packageSizeBytes().getAsLong()).isPositive();
            // startup_time_ms is the script's start-up at upload, not a cold start: it is offered under its own name
            assertThat(deployed.coldStart().isKnown()).isFalse();
            assertThat(executor.scriptStartupTime(105).provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(executor.scriptStartupTime(105).value()).hasValueSatisfying(d -> assertThat(d).isPositive());
            assertThat(executor.scriptStartupTime(999).isKnown()).isFalse();
            assertThat(described.endpoint()).isEqualTo(deployed.endpoint());
            assertThat(described.timeout()).contains(Duration.ofSeconds(10));
        }
    }

    @Nested
    class SendingInvocations {
        @Test
        void sendsInvocationsOnItsOwnThreadsOrThroughSendAsync() {
            String shared = "shared-secret-of-both-executors";
            try (CloudflareWorkersExecutor threaded = LocalCloudflare.executor(api).invocationSecret(shared).build();
                 CloudflareWorkersExecutor asyncOnly = LocalCloudflare.executor(api).invocationSecret(shared)
                         .invocationThreads(0).build()) {
                await(threaded.deploy(131, job("export default { job(call) { return call.body; } };"), CONFIG));
                for (CloudflareWorkersExecutor each : List.of(threaded, asyncOnly)) {
                    List<CompletableFuture<JobOutput>> calls = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        calls.add(each.invoke(JobCall.of(131, new byte[] {(byte) i})));
                    }
                    for (int i = 0; i < 20; i++) {
                        assertThat(await(calls.get(i)).body()).containsExactly((byte) i);
                    }
                }
            }
            // The default executor sent them on its own threads (sendAsync would have left none of that name).
            assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(
                    thread -> assertThat(thread.getName()).startsWith("faasx-cloudflare-send-"));
            await(executor.undeploy(131));
        }

        @Test
        void refusesANegativeNumberOfInvocationThreads() {
            assertThatThrownBy(() -> CloudflareWorkersExecutor.builder().invocationThreads(-1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("invocationThreads");
        }
    }

    @Nested
    class RefusingPackages {
        @Test
        void refusesPackagesThatAreNotWorkerModules() {
            assertThatThrownBy(() -> await(executor.deploy(110, FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"),
                    CONFIG)))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("WORKER_MODULES");
        }

        @Test
        void refusesEnvironmentVariablesThatTheWrapperUses() {
            FaasConfig config = CONFIG.toBuilder().envVar("FAASX_TIMEOUT_MS", "1").build();
            assertThatThrownBy(() -> await(executor.deploy(111, job("export default { job() {} };"), config)))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("FAASX_TIMEOUT_MS is reserved");
        }

        @Test
        void reportsAScriptThatDoesNotLoadWithCloudflaresCodeAndMessage() {
            InvalidRequestException e = catchInvalid(() -> executor.deploy(112, job("export default { job( {"),
                    CONFIG));

            assertThat(e.errorCode()).contains("10021");
            assertThat(e.status()).hasValue(400);
            assertThat(e.reason()).contains("SyntaxError").contains("Cloudflare code 10021");
        }

        @Test
        void reportsAScriptThatIsTooLargeWithCode10027() {
            try (LocalCloudflareApi small = LocalCloudflareApi.builder().runtime(runtime).maxScriptBytes(64 * 1024)
                    .build()) {
                CloudflareWorkersExecutor limited = LocalCloudflare.executor(small).build();
                // 200,000 random hex digits: about 100 KB after gzip, over the limit
                byte[] noise = new byte[100_000];
                new java.util.Random(7).nextBytes(noise);
                String big = "export default { job() { return '" + java.util.HexFormat.of().formatHex(noise)
                        + "'; } };";
                // as large before compression, but a few hundred bytes after: under the limit, as on Cloudflare
                String compressible = "export default { job() { return '" + "x".repeat(200_000) + "'; } };";

                InvalidRequestException e = catchInvalid(() -> limited.deploy(113, job(big), CONFIG));
                await(limited.deploy(114, job(compressible), CONFIG));

                assertThat(e.errorCode()).contains("10027");
                assertThat(e.reason()).contains("script_too_large").contains("after gzip");
                assertThat(await(limited.invoke(JobCall.of(114, new byte[0]))).body()).hasSize(200_000);
            }
        }

        private InvalidRequestException catchInvalid(java.util.function.Supplier<CompletableFuture<?>> call) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> await(call.get()));
            assertThat(thrown).isInstanceOf(InvalidRequestException.class);
            return (InvalidRequestException) thrown;
        }
    }

    @Nested
    class TalkingToTheApi {
        @Test
        void authenticatesWithAGlobalApiKeyThroughXAuthHeaders() {
            try (LocalCloudflareApi keyOnly = LocalCloudflareApi.builder().runtime(runtime)
                    .globalApiKey("ops@example.com", "0123456789abcdef0123").build()) {
                CloudflareWorkersExecutor withKey = LocalCloudflare.executor(keyOnly).build();
                assertThat(CloudflareCredentials.fromEnvironment(keyOnly.environment()).scheme())
                        .isEqualTo(CloudflareCredentials.Scheme.GLOBAL_API_KEY);

                await(withKey.deploy(120, job("export default { job() { return 'key ok'; } };"), CONFIG));
                assertThat(await(withKey.invoke(JobCall.of(120, new byte[0]))).body()).isEqualTo(
                        "key ok".getBytes(UTF_8));

                CloudflareWorkersExecutor withToken = LocalCloudflare.executor(keyOnly)
                        .credentials(CloudflareCredentials.apiToken(keyOnly.accountId(), "a-token-it-does-not-know"))
                        .build();
                assertThatThrownBy(() -> await(withToken.getDeployment(120)))
                        .isInstanceOf(AccessDeniedException.class)
                        .satisfies(e -> assertThat(((AccessDeniedException) e).status()).hasValue(403));
                await(withKey.undeploy(120));
            }
        }

        @Test
        void acceptsAWorkerUrlTemplateWithoutATrailingSlash() {
            String template = api.workerUrlTemplate();
            CloudflareWorkersExecutor noSlash = LocalCloudflare.executor(api)
                    .workerUrlTemplate(template.substring(0, template.length() - 1)).build();

            await(noSlash.deploy(124, job("export default { job() { return 'slash'; } };"), CONFIG));

            assertThat(await(noSlash.healthCheck(124)).healthy()).isTrue();
            assertThat(await(noSlash.invoke(JobCall.of(124, new byte[0]))).body()).isEqualTo("slash".getBytes(UTF_8));
            await(noSlash.undeploy(124));
        }

        @Test
        void refusesAWrongApiTokenAsAccessDenied() {
            CloudflareWorkersExecutor wrong = LocalCloudflare.executor(api)
                    .credentials(CloudflareCredentials.apiToken(api.accountId(), "not-the-token")).build();

            assertThatThrownBy(() -> await(wrong.getDeployment(121)))
                    .isInstanceOf(AccessDeniedException.class)
                    .satisfies(e -> assertThat(((AccessDeniedException) e).errorCode()).contains("10000"));
        }

        @Test
        void surfacesTheRateLimitAsThrottledWithRetryAfter() {
            try (LocalCloudflareApi limited = LocalCloudflareApi.builder().runtime(runtime)
                    .rateLimit(2, Duration.ofMinutes(1)).build()) {
                CloudflareWorkersExecutor throttled = LocalCloudflare.executor(limited).build();
                await(throttled.undeploy(122));
                await(throttled.undeploy(122));

                Throwable e = org.assertj.core.api.Assertions.catchThrowable(() -> await(throttled.undeploy(122)));

                assertThat(e).isInstanceOf(ThrottledException.class);
                ThrottledException t = (ThrottledException) e;
                assertThat(t.status()).hasValue(429);
                assertThat(t.retryAfter()).hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(1),
                        Duration.ofMinutes(1)));
                assertThat(t.isRetryable()).isTrue();
            }
        }

        @Test
        void requiresTheInvocationSecretWhenOneIsConfigured() throws Exception {
            CloudflareWorkersExecutor guarded = LocalCloudflare.executor(api)
                    .invocationSecret("s3cret-s3cret-s3cret").build();
            await(guarded.deploy(123, job("export default { job() { return 'guarded'; } };"), CONFIG));

            assertThat(await(guarded.invoke(JobCall.of(123, new byte[0]))).body()).isEqualTo("guarded".getBytes(UTF_8));
            HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create(api.workerUrl("faasx-job-123").toString()))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\":123,\"args\":[]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            CloudflareWorkersExecutor other = LocalCloudflare.executor(api)
                    .invocationSecret("another-secret-value").build();
            assertThatThrownBy(() -> await(other.invoke(JobCall.of(123, new byte[0]))))
                    .isInstanceOf(AccessDeniedException.class);
            await(guarded.undeploy(123));
        }

        @Test
        void guardsEveryDeploymentWithARandomSecretByDefault() throws Exception {
            try (CloudflareWorkersExecutor byDefault = LocalCloudflare.executor(api).build();
                 CloudflareWorkersExecutor stranger = LocalCloudflare.executor(api).build()) {
                await(byDefault.deploy(124, job("export default { job() { return 'mine'; } };"), CONFIG));

                assertThat(await(byDefault.invoke(JobCall.of(124, new byte[0]))).body())
                        .isEqualTo("mine".getBytes(UTF_8));
                HttpResponse<String> anonymous = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(api.workerUrl("faasx-job-124").toString()))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"job_id\":124,\"args\":[]}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(anonymous.statusCode()).isEqualTo(401);
                assertThatThrownBy(() -> await(stranger.invoke(JobCall.of(124, new byte[0]))))
                        .isInstanceOf(AccessDeniedException.class)
                        .hasMessageContaining("invocationSecret");
                await(byDefault.undeploy(124));
            }
        }
    }
}
