package dev.faasx.azure;

import dev.faasx.azure.local.LocalAzure;
import dev.faasx.azure.support.AzurePackages;
import dev.faasx.azure.support.LocalExecutors;
import dev.faasx.azure.support.TestHandlers;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProviderException;
import dev.faasx.core.Provenance;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.internal.Throwables;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The executor against the local emulator: error mapping of Resource Manager, Kudu and the Functions host, the
 * environment reaching the handler across a redeploy, key handling and the metrics' provenance. One function app
 * (one child JVM) is deployed for the whole class and redeployed where a test needs it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("AzureFunctionsExecutor")
class AzureFunctionsExecutorTest {
    private static final long JOB = 4242;
    private final LocalAzure azure = LocalAzure.builder().build().start();
    private final AzureFunctionsExecutor executor = LocalExecutors.against(azure, "executor-test").build();
    private final AzurePackages packages = new AzurePackages();
    private FunctionPackage.Jar envReader;

    @BeforeAll
    void deployOnce() {
        envReader = packages.jar(TestHandlers.EnvReader.class);
        await(executor.deploy(JOB, envReader, config("first")));
    }

    @AfterEach
    void clearFaults() {
        azure.clearFaults();
    }

    @AfterAll
    void stop() {
        executor.close();
        azure.close();
    }

    private static FaasConfig config(String value) {
        return FaasConfig.builder().timeout(Duration.ofSeconds(20)).envVar("FAASX_TEST_VALUE", value).build();
    }

    private String call(String body) {
        return new String(await(executor.invoke(JobCall.of(JOB, body.getBytes(StandardCharsets.UTF_8)))).body(),
                StandardCharsets.UTF_8);
    }

    @Nested
    @DisplayName("deploys")
    class Deploys {
        @Test
        @DisplayName("the environment to the handler, and a redeploy replaces it")
        void environmentReachesHandlerAndRedeployReplacesIt() {
            await(executor.deploy(JOB, envReader, config("first")));
            assertThat(call("FAASX_TEST_VALUE")).isEqualTo("first");
            assertThat(call("FAASX_JOB_ID")).isEqualTo(Long.toString(JOB));
            FaasDeployment again = await(executor.deploy(JOB, envReader, config("second")));
            assertThat(again.functionId()).isEqualTo(executor.appName(JOB));
            assertThat(again.endpoint()).hasValue(java.net.URI.create("https://" + executor.appName(JOB)
                    + ".azurewebsites.net/api/job"));
            assertThat(call("FAASX_TEST_VALUE")).isEqualTo("second");
        }

        @Test
        @DisplayName("refuses package kinds Azure cannot run, naming the ones it can")
        void refusesOtherKinds() {
            InvalidRequestException e = failure(executor.deploy(7, FunctionPackage.sourceBundle(new byte[] {1},
                    "node20", "index.js"), FaasConfig.defaults()), InvalidRequestException.class);
            assertThat(e.reason()).contains("JAR").contains("NATIVE_BOOTSTRAP").contains("SOURCE_BUNDLE");
        }

        @Test
        @DisplayName("refuses a JAR without the faasx adapter inside, saying how to build one")
        void refusesJarWithoutAdapter() {
            FunctionPackage.Jar bare = dev.faasx.testkit.HandlerJar.of(TestHandlers.EnvReader.class);
            InvalidRequestException e = failure(executor.deploy(8, bare, FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("faas-azure-function");
        }

        @Test
        @DisplayName("refuses environment variables the executor sets itself")
        void refusesReservedSettings() {
            FaasConfig config = FaasConfig.builder().envVar("FUNCTIONS_WORKER_RUNTIME", "java").build();
            assertThat(failure(executor.deploy(9, envReader, config), InvalidRequestException.class).reason())
                    .contains("FUNCTIONS_WORKER_RUNTIME");
        }

        @Test
        @DisplayName("maps a 429 from Resource Manager to ThrottledException with its Retry-After")
        void throttlingIsTyped() {
            azure.failNext("PUT", "/sites/", 1, 429, "TooManyRequests", "Too many requests, retry later", 7);
            ThrottledException e = failure(executor.deploy(JOB, envReader, config("first")), ThrottledException.class);
            assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(7));
            assertThat(e.errorCode()).hasValue("TooManyRequests");
            assertThat(e.status()).hasValue(429);
            assertThat(e.isRetryable()).isTrue();
        }

        @Test
        @DisplayName("maps an authorization failure to AccessDeniedException naming the role to check")
        void authorizationFailureIsTyped() {
            azure.failNext("GET", "/sites/", 1, 403, "AuthorizationFailed", "The client does not have authorization",
                    null);
            AccessDeniedException e = failure(executor.getDeployment(JOB), AccessDeniedException.class);
            assertThat(e.errorCode()).hasValue("AuthorizationFailed");
            assertThat(e.reason()).contains("does not have authorization").contains("Contributor");
        }

        @Test
        @DisplayName("maps an invalid resource group name to InvalidRequestException")
        void invalidGroupIsTyped() {
            try (AzureFunctionsExecutor bad = LocalExecutors.against(azure, "no spaces allowed!").build()) {
                InvalidRequestException e = failure(bad.deploy(10, envReader, FaasConfig.defaults()),
                        InvalidRequestException.class);
                assertThat(e.errorCode()).hasValue("InvalidResourceGroup");
            }
        }

        @Test
        @DisplayName("maps a failed Kudu deployment to a ProviderException with Kudu's message")
        void failedDeploymentIsTyped() {
            azure.failNextDeployment("Oryx build failed: something broke");
            ProviderException e = failure(executor.deploy(JOB, envReader, config("first")), ProviderException.class);
            assertThat(e.reason()).contains("Oryx build failed: something broke");
            assertThat(e.errorCode()).hasValue("DeploymentFailed");
            assertThat(e.mayHaveRun()).isFalse();
            assertThat(call("FAASX_TEST_VALUE")).as("the app keeps running what it had").isNotBlank();
        }

        @Test
        @DisplayName("maps a 5xx from Kudu's zip deploy to a retryable ProviderException")
        void kuduErrorIsTyped() {
            azure.failNext("POST", "/api/zipdeploy", 1, 503, "ServiceUnavailable", "Kudu is restarting", null);
            ProviderException e = failure(executor.deploy(JOB, envReader, config("first")), ProviderException.class);
            assertThat(e.status()).hasValue(503);
            assertThat(e.isRetryable()).isTrue();
        }
    }

    @Nested
    @DisplayName("invokes")
    class Invokes {
        @Test
        @DisplayName("with metrics: client-measured total, adapter-reported execution and a cold start only once")
        void metricsCarryTheirProvenance() {
            await(executor.deploy(JOB, envReader, config("first")));
            Invocation first = await(executor.invokeWithMetrics(JobCall.of(JOB, bytes("FAASX_TEST_VALUE"))));
            Invocation second = await(executor.invokeWithMetrics(JobCall.of(JOB, bytes("FAASX_TEST_VALUE"))));
            assertThat(first.metrics().totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(first.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(first.metrics().coldStart().value()).hasValue(true);
            assertThat(first.metrics().coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(first.metrics().initDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(second.metrics().coldStart().value()).hasValue(false);
            assertThat(second.metrics().initDuration().isKnown()).isFalse();
            assertThat(first.metrics().requestId()).isPresent();
            assertThat(second.metrics().requestId()).isPresent().isNotEqualTo(first.metrics().requestId());
            assertThat(first.metrics().billedDuration().isKnown()).isFalse();
        }

        @Test
        @DisplayName("maps a host that keeps refusing the key (401) to AccessDeniedException, after one fresh key")
        void persistentUnauthorizedIsTyped() {
            call("FAASX_TEST_VALUE");
            azure.failNext("POST", "/api/job", 2, 401, "Unauthorized", "no key", null);
            AccessDeniedException e = failure(executor.invoke(JobCall.of(JOB, bytes("x"))),
                    AccessDeniedException.class);
            assertThat(e.status()).hasValue(401);
            assertThat(e.mayHaveRun()).isFalse();
        }

        @Test
        @DisplayName("fetches the key again once when the host refuses it, and succeeds")
        void refetchesKeyOnce() {
            call("FAASX_TEST_VALUE");
            azure.failNext("POST", "/api/job", 1, 401, "Unauthorized", "stale key", null);
            assertThat(call("FAASX_TEST_VALUE")).isEqualTo("first");
        }

        @Test
        @DisplayName("maps a 429 from the Functions host to ThrottledException with its Retry-After")
        void hostThrottlingIsTyped() {
            call("FAASX_TEST_VALUE");
            azure.failNext("POST", "/api/job", 1, 429, "TooManyRequests", "slow down", 3);
            ThrottledException e = failure(executor.invoke(JobCall.of(JOB, bytes("x"))), ThrottledException.class);
            assertThat(e.retryAfter()).hasValue(Duration.ofSeconds(3));
        }

        @Test
        @DisplayName("maps a 502 from the Functions host to a retryable ProviderException that may have run")
        void badGatewayIsTyped() {
            call("FAASX_TEST_VALUE");
            azure.failNext("POST", "/api/job", 1, 502, "BadGateway", "bad gateway", null);
            ProviderException e = failure(executor.invoke(JobCall.of(JOB, bytes("x"))), ProviderException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isTrue();
        }
    }

    @Test
    @DisplayName("deploys a native bootstrap that the adapter runs once per call")
    void runsNativeBootstrap() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "python3 is not installed");
        FunctionPackage.NativeZip bootstrap = FunctionPackage.bootstrapScript("""
                #!/usr/bin/python3
                import json, os, sys
                request = json.load(sys.stdin)
                text = bytes(request["args"]).decode() + ":" + os.environ.get("FAASX_TEST_VALUE", "unset")
                print(json.dumps({"job_id": request["job_id"], "result": list(text.encode()), "success": True}))
                """);
        try (AzureFunctionsExecutor nativeExecutor = LocalExecutors.against(azure, "native-test")
                .adapterJar(packages.adapterJar()).build()) {
            await(nativeExecutor.deploy(77, bootstrap, config("native")));
            Invocation invocation = await(nativeExecutor.invokeWithMetrics(JobCall.of(77, bytes("hi"))));
            assertThat(new String(invocation.output().body(), StandardCharsets.UTF_8)).isEqualTo("hi:native");
            assertThat(invocation.metrics().executionDuration().provenance())
                    .isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            await(nativeExecutor.undeploy(77));
        }
    }

    @Test
    @DisplayName("refuses a native bootstrap when no adapter JAR was given")
    void nativeNeedsAdapter() {
        InvalidRequestException e = failure(executor.deploy(78, FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"),
                FaasConfig.defaults()), InvalidRequestException.class);
        assertThat(e.reason()).contains("adapterJar");
    }

    @Test
    @DisplayName("names a missing subscription, resource group or region in the builder's error")
    void namesMissingSettings() {
        assertThatThrownBy(() -> AzureFunctionsExecutor.builder().environment(Map.of()).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AZURE_SUBSCRIPTION_ID");
        assertThatThrownBy(() -> AzureFunctionsExecutor.builder().environment(Map.of("AZURE_SUBSCRIPTION_ID", "s"))
                .build()).hasMessageContaining("AZURE_RESOURCE_GROUP");
        assertThatThrownBy(() -> AzureFunctionsExecutor.builder().environment(Map.of("AZURE_SUBSCRIPTION_ID", "s",
                "AZURE_RESOURCE_GROUP", "g")).build()).hasMessageContaining("AZURE_REGION");
    }

    @Test
    @DisplayName("reports a stopped function app as unhealthy, and healthy again once started")
    void healthFollowsTheAppState() throws Exception {
        String site = "/subscriptions/" + LocalExecutors.SUBSCRIPTION + "/resourceGroups/executor-test/providers/"
                + "Microsoft.Web/sites/" + executor.appName(JOB);
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String action : new String[] {"stop", "start"}) {
            java.net.http.HttpResponse<Void> r = http.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(azure.endpoint() + site + "/" + action + "?api-version=2024-04-01"))
                    .header("Authorization", "Bearer t").header("X-Forwarded-Host", "management.azure.com")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).isEqualTo(200);
            dev.faasx.core.FaasHealth health = await(executor.healthCheck(JOB));
            if (action.equals("stop")) {
                assertThat(health.healthy()).isFalse();
                assertThat(health.detail()).get().asString().contains("Stopped");
            } else {
                assertThat(health.healthy()).as("healthy after start: %s", health.detail()).isTrue();
            }
        }
    }

    @Test
    @DisplayName("builds from the environment alone, with DefaultAzureCredential")
    void buildsFromEnvironment() {
        try (AzureFunctionsExecutor fromEnv = AzureFunctionsExecutor.builder().environment(Map.of(
                "AZURE_SUBSCRIPTION_ID", "s", "AZURE_RESOURCE_GROUP", "g", "AZURE_LOCATION", "westeurope")).build()) {
            assertThat(fromEnv.appName(5)).startsWith("faasx-").endsWith("-5");
            assertThat(fromEnv.appName(-5)).endsWith("-n5");
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the call failed: " + Throwables.unwrap(e), Throwables.unwrap(e));
        }
    }

    static <E extends FaasException> E failure(CompletableFuture<?> future, Class<E> type) {
        try {
            future.get(90, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable t = Throwables.unwrap(e);
            assertThat(t).isInstanceOf(type);
            return type.cast(t);
        }
        throw new AssertionError("expected " + type.getSimpleName() + " but the call succeeded");
    }
}
