package dev.faasx.aws;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.local.LocalLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.aws.support.TestHandlers;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.JobCall;
import dev.faasx.core.WorkerModule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("LambdaExecutor deployments against the local Lambda emulator")
class LambdaDeployTest {
    private final LocalLambda fake = Executors.emulator().build();
    private final LambdaClient client = Executors.client(fake);
    private final LambdaExecutor lambda = Executors.against(fake).build();
    private final LambdaPackages packages = new LambdaPackages();
    private long nextJob = 100;

    @AfterAll
    void close() {
        lambda.close();
        client.close();
        fake.close();
    }

    private synchronized long job() {
        return nextJob++;
    }

    private GetFunctionResponse described(long jobId) {
        return client.getFunction(r -> r.functionName(lambda.functionName(jobId)));
    }

    private List<String> operations(String function) {
        return fake.calls().stream().filter(c -> function.equals(c.functionName()))
                .map(c -> c.operation() + (c.errorType() == null ? "" : "!" + c.errorType())).toList();
    }

    @Nested
    @DisplayName("a new function")
    class NewFunction {
        @Test
        @DisplayName("is created with the configured memory, timeout, environment and, when asked, reserved concurrency")
        void createsWithConfiguration() {
            long job = job();
            FaasConfig config = FaasConfig.builder().memoryMb(384).timeout(Duration.ofSeconds(20)).maxConcurrency(7)
                    .envVar("GREETING", "hello").providerOption(LambdaExecutor.OPTION_RESERVED_CONCURRENCY, "true")
                    .build();
            FaasDeployment deployment = await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), config));

            assertThat(deployment.functionId()).isEqualTo("test-job-" + job);
            assertThat(deployment.memoryMb()).hasValue(384);
            assertThat(deployment.timeout()).contains(Duration.ofSeconds(20));
            assertThat(deployment.deployedAt()).isPresent();
            assertThat(deployment.packageSizeBytes()).isPresent();
            GetFunctionResponse fn = described(job);
            FunctionConfiguration c = fn.configuration();
            assertThat(c.stateAsString()).isEqualTo("Active");
            assertThat(c.runtimeAsString()).isEqualTo("java21");
            assertThat(c.handler()).isEqualTo("dev.faasx.aws.function.LambdaJobHandler::handleRequest");
            assertThat(c.environment().variables()).containsEntry("GREETING", "hello")
                    .containsEntry("FAASX_HANDLER", TestHandlers.Upper.class.getName());
            assertThat(fn.concurrency().reservedConcurrentExecutions()).isEqualTo(7);
        }

        @Test
        @DisplayName("reserves no concurrency unless asked to, and removes an earlier reservation")
        void unreservedByDefault() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.builder().maxConcurrency(9)
                    .providerOption(LambdaExecutor.OPTION_RESERVED_CONCURRENCY, "true").build()));
            assertThat(described(job).concurrency().reservedConcurrentExecutions()).isEqualTo(9);
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.builder().maxConcurrency(9)
                    .build()));
            assertThat(described(job).concurrency()).isNull();
            assertThat(operations(lambda.functionName(job))).contains("DeleteFunctionConcurrency");
        }

        @Test
        @DisplayName("waits until Lambda reports it Active before the deployment completes")
        void waitsForActive() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()));
            List<String> ops = operations(lambda.functionName(job));
            assertThat(ops).startsWith("GetFunction!ResourceNotFoundException", "CreateFunction");
            assertThat(ops.indexOf("DeleteFunctionConcurrency")).isGreaterThan(ops.indexOf("CreateFunction") + 1);
            // The first invocation right after deploy must not meet a Pending function.
            byte[] answer = await(lambda.invoke(JobCall.of(job, "ok".getBytes(StandardCharsets.UTF_8)))).body();
            assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("OK");
        }

        @Test
        @DisplayName("runs a bootstrap zip on provided.al2023 with the chosen architecture")
        void deploysNativeBootstrap() {
            long job = job();
            FaasConfig config = FaasConfig.builder().providerOption(LambdaExecutor.OPTION_ARCHITECTURE, "arm64")
                    .build();
            await(lambda.deploy(job, packages.bootstrap(TestHandlers.Upper.class), config));
            FunctionConfiguration c = described(job).configuration();
            assertThat(c.runtimeAsString()).isEqualTo("provided.al2023");
            assertThat(c.architecturesAsStrings()).containsExactly("arm64");
            byte[] answer = await(lambda.invoke(JobCall.of(job, "native".getBytes(StandardCharsets.UTF_8)))).body();
            assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("NATIVE");
        }
    }

    @Nested
    @DisplayName("an existing function")
    class ExistingFunction {
        @Test
        @DisplayName("gets new code, then new configuration, each after the previous update finished")
        void updatesCodeThenConfiguration() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()));
            String name = lambda.functionName(job);
            int before = operations(name).size();

            FaasConfig changed = FaasConfig.builder().memoryMb(1024).envVar("MODE", "second").build();
            await(lambda.deploy(job, packages.jar(TestHandlers.Failing.class), changed));

            List<String> ops = operations(name).subList(before, operations(name).size());
            int code = ops.indexOf("UpdateFunctionCode");
            int configuration = ops.indexOf("UpdateFunctionConfiguration");
            assertThat(code).isNotNegative();
            assertThat(configuration).isGreaterThan(code + 1);
            assertThat(ops.subList(code + 1, configuration)).contains("GetFunction");
            FunctionConfiguration c = described(job).configuration();
            assertThat(c.memorySize()).isEqualTo(1024);
            assertThat(c.environment().variables()).containsEntry("MODE", "second")
                    .containsEntry("FAASX_HANDLER", TestHandlers.Failing.class.getName());
            assertThat(c.lastUpdateStatusAsString()).isEqualTo("Successful");
        }

        @Test
        @DisplayName("waits out an update another client started and then updates (ResourceConflictException)")
        void waitsOutConflictingUpdate() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()));
            String name = lambda.functionName(job);
            fake.interfereBeforeNext("UpdateFunctionCode", name);

            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class),
                    FaasConfig.builder().memoryMb(640).build()));

            List<String> ops = operations(name);
            int conflict = ops.indexOf("UpdateFunctionCode!ResourceConflictException");
            assertThat(conflict).as("the emulator refused the first code update: %s", ops).isNotNegative();
            assertThat(ops.subList(conflict + 1, ops.size())).contains("GetFunction", "UpdateFunctionCode",
                    "UpdateFunctionConfiguration");
            assertThat(described(job).configuration().memorySize()).isEqualTo(640);
        }

        @Test
        @DisplayName("survives two deployments of the same job at once")
        void concurrentDeploymentsBothSucceed() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()));
            CompletableFuture<FaasDeployment> a = lambda.deploy(job, packages.jar(TestHandlers.Upper.class),
                    FaasConfig.builder().memoryMb(700).build());
            CompletableFuture<FaasDeployment> b = lambda.deploy(job, packages.jar(TestHandlers.Upper.class),
                    FaasConfig.builder().memoryMb(700).build());
            await(a);
            await(b);
            assertThat(described(job).configuration().memorySize()).isEqualTo(700);
        }
    }

    @Nested
    @DisplayName("keep-warm")
    class KeepWarm {
        @Test
        @DisplayName("publishes a version, points the alias at it and provisions concurrency; calls, also from another"
                + " executor, use the alias")
        void provisionsConcurrencyOnAlias() {
            long job = job();
            FaasConfig config = FaasConfig.builder().maxConcurrency(4).keepWarmInstances(1).build();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), config));
            String name = lambda.functionName(job);
            assertThat(client.getAlias(r -> r.functionName(name).name("faasx-warm")).functionVersion())
                    .isEqualTo("1");
            await(lambda.warm(job));
            assertThat(client.getProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier("faasx-warm"))
                    .statusAsString()).isEqualTo("READY");

            var invocation = await(lambda.invokeWithMetrics(JobCall.of(job, "w".getBytes(StandardCharsets.UTF_8))));
            assertThat(invocation.output().body()).isEqualTo("W".getBytes(StandardCharsets.UTF_8));
            assertThat(invocation.metrics().coldStart().value()).as("served by a provisioned environment")
                    .contains(false);
            // Another executor, as in another process that did not deploy, reads the alias from the function.
            try (LambdaExecutor other = Executors.against(fake).build()) {
                var second = await(other.invokeWithMetrics(JobCall.of(job, "o".getBytes(StandardCharsets.UTF_8))));
                assertThat(second.output().body()).isEqualTo("O".getBytes(StandardCharsets.UTF_8));
                assertThat(second.metrics().coldStart().value()).as("served by the provisioned environment")
                        .contains(false);
            }
            assertThat(fake.environmentsStarted(name)).isEqualTo(1);
        }

        @Test
        @DisplayName("is removed by a deployment without it, and calls go to $LATEST again")
        void removedByLaterDeployment() {
            long job = job();
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class),
                    FaasConfig.builder().maxConcurrency(4).keepWarmInstances(1).build()));
            await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.builder().maxConcurrency(4)
                    .build()));
            String name = lambda.functionName(job);
            assertThat(operations(name)).contains("DeleteProvisionedConcurrencyConfig", "DeleteAlias");
            assertThat(await(lambda.invoke(JobCall.of(job, "x".getBytes(StandardCharsets.UTF_8)))).body())
                    .isEqualTo("X".getBytes(StandardCharsets.UTF_8));
            assertThat(fake.calls().stream().filter(c -> c.operation().equals("GetAlias")
                    && name.equals(c.functionName())).count()).isPositive();
        }
    }

    @Nested
    @DisplayName("keep-warm's old versions")
    class KeepWarmOldVersions {
        @Test
        @DisplayName("reports an old version it could not delete as a warning of the deployment")
        void oldVersionLeftIsReported() {
            long job = job();
            FaasConfig warm = FaasConfig.builder().maxConcurrency(4).keepWarmInstances(1).build();
            FaasDeployment first = await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), warm));
            assertThat(first.warnings()).isEmpty();
            String name = lambda.functionName(job);
            fake.failNext("DeleteFunction", name, 403, "AccessDeniedException",
                    "User is not authorized to perform: lambda:DeleteFunction");
            FaasDeployment second = await(lambda.deploy(job, packages.jar(TestHandlers.Failing.class), warm));
            assertThat(second.warnings()).singleElement().satisfies(w -> assertThat(w)
                    .contains("old version 1", name, "AccessDeniedException"));
            assertThat(client.getFunctionConfiguration(r -> r.functionName(name).qualifier("1")).version())
                    .isEqualTo("1");
        }
    }

    @Nested
    @DisplayName("a package over the 50 MB direct-upload limit")
    class LargePackage {
        @Test
        @DisplayName("is put in the S3 bucket and the function created from it, and runs")
        void deployedFromS3() {
            byte[] padding = new byte[51 * 1024 * 1024];
            new java.util.Random(3).nextBytes(padding);
            FunctionPackage.Jar big = packages.jar(TestHandlers.Upper.class, java.util.Map.of("padding.bin", padding));
            assertThat(big.jar().length).isGreaterThan(50 * 1024 * 1024);
            try (S3Client s3 = S3Client.builder().endpointOverride(fake.endpoint()).forcePathStyle(true)
                         .region(Region.of(LocalLambda.REGION))
                         .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                                 Executors.ACCESS_KEY, Executors.SECRET_KEY)))
                         .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
                 LambdaExecutor withBucket = Executors.against(fake).packageBucket("faasx-packages", "jobs/")
                         .build()) {
                s3.createBucket(r -> r.bucket("faasx-packages"));
                long job = job();
                await(withBucket.deploy(job, big, FaasConfig.defaults()), Duration.ofMinutes(2));
                String name = withBucket.functionName(job);
                assertThat(fake.calls()).anySatisfy(c -> assertThat(c.operation()).isEqualTo("S3 PUT"));
                assertThat(described(job).configuration().codeSize()).isEqualTo(big.jar().length);
                String key = "jobs/" + name + "/" + sha256Hex(big.jar()) + ".zip";
                var head = s3.headObject(r -> r.bucket("faasx-packages").key(key));
                assertThat(head.contentLength()).isEqualTo(big.jar().length);
                assertThat(await(withBucket.invoke(JobCall.of(job, "big".getBytes(StandardCharsets.UTF_8)))).body())
                        .isEqualTo("BIG".getBytes(StandardCharsets.UTF_8));
            }
        }

        private String sha256Hex(byte[] bytes) {
            try {
                return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                        .digest(bytes));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Nested
    @DisplayName("a deployment Lambda would refuse")
    class Refused {
        @Test
        @DisplayName("of a package kind Lambda cannot run names the kinds it can")
        void unsupportedKind() {
            var modules = FunctionPackage.workerModules("main.js",
                    List.of(WorkerModule.esModule("main.js", "export default {}")));
            InvalidRequestException e = failureOf(lambda.deploy(job(), modules, FaasConfig.defaults()),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("NATIVE_BOOTSTRAP", "JAR");
        }

        @Test
        @DisplayName("over the 50 MB direct-upload limit says to use S3, before uploading anything")
        void packageTooLarge() {
            long job = job();
            byte[] huge = new byte[51 * 1024 * 1024];
            InvalidRequestException e = failureOf(lambda.deploy(job, FunctionPackage.jar(huge, "com.example.Big"),
                    FaasConfig.defaults()), InvalidRequestException.class);
            assertThat(e.reason()).contains("50 MB", "packageBucket");
            assertThat(operations(lambda.functionName(job))).isEmpty();
        }

        @Test
        @DisplayName("of a zip without bootstrap says where bootstrap must be")
        void zipWithoutBootstrap() {
            byte[] zip = FunctionPackage.bootstrapZip().bootstrapScript("#!/bin/sh\n").file("x", new byte[1]).build()
                    .zip();
            byte[] renamed = new String(zip, StandardCharsets.ISO_8859_1).replace("bootstrap", "bootstrax")
                    .getBytes(StandardCharsets.ISO_8859_1);
            InvalidRequestException e = failureOf(lambda.deploy(job(), FunctionPackage.nativeZip(renamed),
                    FaasConfig.defaults()), InvalidRequestException.class);
            assertThat(e.reason()).contains("'bootstrap'");
        }

        @Test
        @DisplayName("with a reserved environment variable or an unknown architecture lists every problem")
        void listsEveryProblem() {
            FaasConfig config = FaasConfig.builder().envVar("AWS_REGION", "x")
                    .providerOption(LambdaExecutor.OPTION_ARCHITECTURE, "sparc").build();
            InvalidRequestException e = failureOf(lambda.deploy(job(), packages.jar(TestHandlers.Upper.class),
                    config), InvalidRequestException.class);
            assertThat(e.violations()).hasSize(2);
            assertThat(e.reason()).contains("AWS_REGION", "sparc");
        }

        @Test
        @DisplayName("that reserves more concurrency than the account leaves unreserved fails with Lambda's error and"
                + " explains the way out; the default, unreserved, deploys")
        void reservationOverAccountLimit() {
            try (LocalLambda small = Executors.emulator().accountConcurrency(120).unreservedMinimum(100).build();
                 LambdaExecutor executor = Executors.against(small).build()) {
                InvalidRequestException e = failureOf(executor.deploy(1, packages.jar(TestHandlers.Upper.class),
                        FaasConfig.builder().maxConcurrency(50)
                                .providerOption(LambdaExecutor.OPTION_RESERVED_CONCURRENCY, "true").build()),
                        InvalidRequestException.class);
                assertThat(e.reason()).contains("UnreservedConcurrentExecution below its minimum value of [100]",
                        "aws.reservedConcurrency");
                assertThat(e.errorCode()).contains("InvalidParameterValueException");
                await(executor.deploy(1, packages.jar(TestHandlers.Upper.class), FaasConfig.builder()
                        .maxConcurrency(50).build()));
                await(executor.deploy(2, packages.jar(TestHandlers.Upper.class), FaasConfig.builder()
                        .maxConcurrency(20).providerOption(LambdaExecutor.OPTION_RESERVED_CONCURRENCY, "true").build()));
            }
        }

        @Test
        @DisplayName("without an execution role says how to set one")
        void withoutRole() {
            try (LambdaExecutor noRole = LambdaExecutor.builder().client(client).build()) {
                InvalidRequestException e = failureOf(noRole.deploy(job(), packages.jar(TestHandlers.Upper.class),
                        FaasConfig.defaults()), InvalidRequestException.class);
                assertThat(e.reason()).contains("executionRole");
            }
        }
    }
}
