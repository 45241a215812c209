package dev.faasx.http;

import static dev.faasx.http.Outcomes.failure;
import static dev.faasx.http.Outcomes.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.ConflictException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.PackageKind;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.WorkerMode;
import dev.faasx.http.FakePlatform.Answer;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class HttpFaasExecutorManagementTest {
    private static final FunctionPackage.NativeZip ECHO = FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n");
    private static final String DEPLOYED = "{\"function_id\":\"job7\",\"endpoint\":\"http://x/api/functions/job7/invoke\","
            + "\"status\":\"deployed\",\"cold_start_ms\":12,\"memory_mb\":256,\"timeout_secs\":30}";

    private FakePlatform platform;
    private HttpFaasExecutor executor;

    @BeforeEach
    void start() throws IOException {
        platform = FakePlatform.start();
        executor = HttpFaasExecutor.builder(platform.baseUri()).build();
    }

    @AfterEach
    void stop() {
        executor.close();
        platform.close();
    }

    private static FaasConfig config() {
        return FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(30)).maxConcurrency(4)
                .envVar("GREETING", "hi").keepWarmInstances(1)
                .providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, "persistent").build();
    }

    @Nested
    class Deploy {
        @Test
        void putsTheZipWithTheConfigHeader() throws Exception {
            platform.answer(Answer.json(200, DEPLOYED));

            value(executor.deploy(7, ECHO, config()));

            FakePlatform.Recorded r = platform.take();
            assertThat(r.method()).isEqualTo("PUT");
            assertThat(r.path()).isEqualTo("/api/functions/job7");
            assertThat(r.query()).isNull();
            assertThat(r.header("Content-Type")).isEqualTo("application/zip");
            assertThat(r.body()).isEqualTo(ECHO.zip());
            DeployConfig sent = DeployConfig.fromHeader(r.header(DeployConfig.HEADER));
            assertThat(sent.memoryMb()).isEqualTo(256);
            assertThat(sent.timeoutSecs()).isEqualTo(30);
            assertThat(sent.maxConcurrency()).isEqualTo(4);
            assertThat(sent.envVars()).containsEntry("GREETING", "hi");
            assertThat(sent.workerMode()).contains(WorkerMode.PERSISTENT);
            assertThat(sent.keepWarm()).isEqualTo(1);
        }

        @Test
        void reportsTheDeploymentWithTheColdStartAsReported() throws Exception {
            platform.answer(Answer.json(200, DEPLOYED));

            FaasDeployment d = value(executor.deploy(7, ECHO, config()));

            assertThat(d.functionId()).isEqualTo("job7");
            assertThat(d.jobId()).isEqualTo(7);
            assertThat(d.provider()).isEqualTo("custom-http");
            assertThat(d.memoryMb()).hasValue(256);
            assertThat(d.timeout()).contains(Duration.ofSeconds(30));
            assertThat(d.packageSizeBytes()).hasValue(ECHO.sizeBytes());
            assertThat(d.coldStart().value()).contains(Duration.ofMillis(12));
            assertThat(d.coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(d.endpoint()).contains(platform.baseUri().resolve("/api/functions/job7/invoke"));
        }

        @Test
        void waitsForInvocationsAsLongAsTheDeployedTimeoutPlusTheMargin() throws Exception {
            platform.answer(Answer.json(200, DEPLOYED));
            assertThat(executor.invokeTimeout(7)).isEqualTo(Duration.ofSeconds(910));

            value(executor.deploy(7, ECHO, config()));

            assertThat(executor.invokeTimeout(7)).isEqualTo(Duration.ofSeconds(40));
        }

        @Test
        void replacesAnExistingFunctionWithOverwrite() throws Exception {
            platform.answer(r -> r.query() == null
                    ? Answer.json(409, "{\"error\":\"exists\",\"code\":\"FUNCTION_EXISTS\"}")
                    : Answer.json(200, DEPLOYED));

            value(executor.deploy(7, ECHO, config()));

            assertThat(platform.take().query()).isNull();
            FakePlatform.Recorded again = platform.take();
            assertThat(again.method()).isEqualTo("PUT");
            assertThat(again.query()).isEqualTo("overwrite=true");
            assertThat(again.body()).isEqualTo(ECHO.zip());
        }

        @Test
        void replacesOnAV1PlatformThatIgnoresOverwriteByUndeployingFirst() throws Exception {
            AtomicInteger puts = new AtomicInteger();
            platform.answer(r -> switch (r.method()) {
                case "DELETE" -> Answer.json(200, "{\"function_id\":\"job7\",\"status\":\"deleted\"}");
                default -> puts.incrementAndGet() <= 2
                        ? Answer.json(409, "{\"error\":\"Function already exists\",\"function_id\":\"job7\"}")
                        : Answer.json(200, DEPLOYED);
            });

            value(executor.deploy(7, ECHO, config()));

            assertThat(platform.take().method()).isEqualTo("PUT");
            assertThat(platform.take().query()).isEqualTo("overwrite=true");
            assertThat(platform.take().method()).isEqualTo("DELETE");
            FakePlatform.Recorded last = platform.take();
            assertThat(last.method()).isEqualTo("PUT");
            assertThat(last.query()).isNull();
        }

        @Test
        void withReplacingOffAnExistingFunctionIsAConflict() {
            try (HttpFaasExecutor strict = HttpFaasExecutor.builder(platform.baseUri()).replaceExisting(false)
                    .build()) {
                platform.answer(Answer.json(409, "{\"error\":\"exists\",\"code\":\"FUNCTION_EXISTS\"}"));

                assertThat(failure(strict.deploy(7, ECHO, config()))).isInstanceOf(ConflictException.class);
                assertThat(platform.requestCount()).isEqualTo(1);
            }
        }

        @Test
        void rejectsPackagesItCannotRunNamingTheKindItCan() {
            FaasException e = failure(executor.deploy(7, FunctionPackage.jar(new byte[] {1}, "a.B"), config()));

            assertThat(e).isInstanceOf(InvalidRequestException.class);
            assertThat(e.reason()).contains("NATIVE_BOOTSTRAP", "JAR");
            assertThat(platform.requestCount()).isZero();
            assertThat(executor.supportedPackageKinds()).containsExactly(PackageKind.NATIVE_BOOTSTRAP);
        }

        @Test
        void rejectsAnUnknownWorkerModeNamingTheOption() {
            FaasConfig bad = FaasConfig.builder().providerOption("worker_mode", "threads").build();

            FaasException e = failure(executor.deploy(7, ECHO, bad));

            assertThat(e).isInstanceOf(InvalidRequestException.class);
            assertThat(e.reason()).contains("worker_mode", "threads");
            assertThat(e.jobId()).hasValue(7);
            assertThat(platform.requestCount()).isZero();
        }

        @Test
        void mapsPlatformRejectionsToInvalidRequests() {
            platform.answer(Answer.json(413, "{\"error\":\"package over 50 MiB\",\"code\":\"PAYLOAD_TOO_LARGE\"}"));
            assertThat(failure(executor.deploy(7, ECHO, config()))).isInstanceOf(InvalidRequestException.class);

            platform.answer(Answer.json(400, "{\"error\":\"zip has no bootstrap\",\"code\":\"INVALID_PACKAGE\"}"));
            FaasException e = failure(executor.deploy(7, ECHO, config()));
            assertThat(e).isInstanceOf(InvalidRequestException.class);
            assertThat(e.reason()).contains("bootstrap");
        }
    }

    @Nested
    class Health {
        @Test
        void healthyOn200() throws Exception {
            platform.answer(Answer.json(200, "{\"function_id\":\"job7\",\"status\":\"healthy\","
                    + "\"last_invocation\":null,\"total_invocations\":0}"));

            assertThat(value(executor.healthCheck(7)).healthy()).isTrue();
            FakePlatform.Recorded r = platform.take();
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).isEqualTo("/api/functions/job7/health");
        }

        @Test
        void unhealthyWithThePlatformsReasonOn503() throws Exception {
            platform.answer(Answer.json(503, "{\"function_id\":\"job7\",\"status\":\"unhealthy\","
                    + "\"error\":\"bootstrap exits with status 127\"}"));

            FaasHealth h = value(executor.healthCheck(7));

            assertThat(h.healthy()).isFalse();
            assertThat(h.detail()).contains("bootstrap exits with status 127");
        }

        @Test
        void anOverloadedPlatformIsAThrottleNotAnUnhealthyFunction() {
            platform.answer(Answer.json(503, "{\"error\":\"busy\",\"code\":\"OVERLOADED\"}"));
            assertThat(failure(executor.healthCheck(7))).isInstanceOf(ThrottledException.class);
        }

        @Test
        void aMissingFunctionIsNotFound() {
            platform.answer(Answer.json(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}"));
            assertThat(failure(executor.healthCheck(7))).isInstanceOf(FunctionNotFoundException.class);
        }
    }

    @Nested
    class Describe {
        @Test
        void readsTheDeploymentIncludingWhenAndHowLarge() throws Exception {
            platform.answer(Answer.json(200, DEPLOYED.replace("}",
                    ",\"deployed_at\":\"2025-03-01T12:00:00Z\",\"binary_size_bytes\":1234}")));

            FaasDeployment d = value(executor.getDeployment(7));

            assertThat(d.deployedAt()).contains(Instant.parse("2025-03-01T12:00:00Z"));
            assertThat(d.packageSizeBytes()).hasValue(1234);
            assertThat(d.timeout()).contains(Duration.ofSeconds(30));
            assertThat(executor.invokeTimeout(7)).isEqualTo(Duration.ofSeconds(40));
            assertThat(platform.take().method()).isEqualTo("GET");
        }

        @Test
        void aMissingFunctionIsNotFound() {
            platform.answer(Answer.json(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}"));
            assertThat(failure(executor.getDeployment(7))).isInstanceOf(FunctionNotFoundException.class);
        }
    }

    @Nested
    class Warm {
        @Test
        void postsToTheWarmPath() throws Exception {
            platform.answer(Answer.json(200, "{\"function_id\":\"job7\",\"status\":\"warm\",\"instances_warmed\":2}"));

            value(executor.warm(7));

            FakePlatform.Recorded r = platform.take();
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/api/functions/job7/warm");
        }

        @Test
        void aPlatformWithoutWarmingIsNotAnError() throws Exception {
            platform.answer(Answer.text(404, "text/plain", "Not Found"));
            value(executor.warm(7));

            platform.answer(Answer.json(501, "{\"error\":\"not implemented\"}"));
            value(executor.warm(7));
        }

        @Test
        void aMissingFunctionIsNotFound() {
            platform.answer(Answer.json(404, "{\"error\":\"gone\",\"code\":\"FUNCTION_NOT_FOUND\"}"));
            assertThat(failure(executor.warm(7))).isInstanceOf(FunctionNotFoundException.class);

            platform.answer(Answer.json(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}"));
            assertThat(failure(executor.warm(7))).isInstanceOf(FunctionNotFoundException.class);
        }
    }

    @Nested
    class Undeploy {
        @Test
        void deletesTheFunction() throws Exception {
            platform.answer(Answer.json(200, "{\"function_id\":\"job7\",\"status\":\"deleted\"}"));

            value(executor.undeploy(7));

            FakePlatform.Recorded r = platform.take();
            assertThat(r.method()).isEqualTo("DELETE");
            assertThat(r.path()).isEqualTo("/api/functions/job7");
        }

        @Test
        void aFunctionThatIsAlreadyGoneCountsAsRemoved() throws Exception {
            platform.answer(Answer.json(404, "{\"error\":\"Function not found\",\"function_id\":\"job7\"}"));
            value(executor.undeploy(7));
        }

        @Test
        void otherFailuresAreReported() {
            platform.answer(Answer.json(500, "{\"error\":\"disk\",\"code\":\"INTERNAL\"}"));
            assertThat(failure(executor.undeploy(7))).isInstanceOf(ProviderException.class);
        }
    }

    @Test
    void afterCloseNothingIsSent() {
        executor.close();
        executor.close();

        FaasException e = failure(executor.healthCheck(7));

        assertThat(e).isInstanceOf(ProviderException.class);
        assertThat(e.mayHaveRun()).isFalse();
        assertThat(platform.requestCount()).isZero();
    }
}
