package dev.faasx.aws;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.local.LocalLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.aws.support.TestHandlers;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.JobCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("LambdaExecutor health, warm-up, look-up and removal against the local Lambda emulator")
class LambdaManagementTest {
    private final LocalLambda fake = Executors.emulator().build();
    private final LambdaClient client = Executors.client(fake);
    private final LambdaExecutor lambda = Executors.against(fake).build();
    private final LambdaPackages packages = new LambdaPackages();
    private long nextJob = 300;

    @AfterAll
    void close() {
        lambda.close();
        client.close();
        fake.close();
    }

    private synchronized long deployed() {
        long job = nextJob++;
        await(lambda.deploy(job, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()), Duration.ofMinutes(1));
        return job;
    }

    @Nested
    @DisplayName("health")
    class Health {
        @Test
        @DisplayName("is good for an Active function whose last update succeeded")
        void healthy() {
            assertThat(await(lambda.healthCheck(deployed())).healthy()).isTrue();
        }

        @Test
        @DisplayName("is not good while an update is in progress, and says so in Lambda's words")
        void updateInProgress() {
            long job = deployed();
            // Long enough that the health check surely sees the update in progress.
            fake.stateDelay(Duration.ofSeconds(5));
            try {
                client.updateFunctionConfiguration(r -> r.functionName(lambda.functionName(job)).memorySize(256));
            } finally {
                fake.stateDelay(Duration.ofMillis(20));
            }
            FaasHealth health = await(lambda.healthCheck(job));
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).hasValueSatisfying(d -> assertThat(d).contains("InProgress"));
        }

        @Test
        @DisplayName("of a function that does not exist is FunctionNotFoundException")
        void missing() {
            failureOf(lambda.healthCheck(12345), FunctionNotFoundException.class);
        }
    }

    @Nested
    @DisplayName("warm-up without keep-warm")
    class WarmUp {
        @Test
        @DisplayName("starts an environment without running the job, so the next call is warm")
        void startsAnEnvironment() {
            long job = deployed();
            String name = lambda.functionName(job);
            await(lambda.warm(job));
            assertThat(fake.environmentsStarted(name)).isEqualTo(1);
            var metrics = await(lambda.invokeWithMetrics(JobCall.of(job, "hi".getBytes(StandardCharsets.UTF_8))))
                    .metrics();
            assertThat(metrics.coldStart().value()).contains(false);
            assertThat(fake.environmentsStarted(name)).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("removal")
    class Removal {
        @Test
        @DisplayName("deletes the function and succeeds again when it is already gone")
        void idempotent() {
            long job = deployed();
            await(lambda.undeploy(job));
            failureOf(lambda.getDeployment(job), FunctionNotFoundException.class);
            await(lambda.undeploy(job));
            assertThat(fake.calls()).anySatisfy(c -> {
                assertThat(c.operation()).isEqualTo("DeleteFunction");
                assertThat(c.errorType()).isEqualTo("ResourceNotFoundException");
            });
        }
    }

    @Nested
    @DisplayName("with an injected asynchronous client")
    class AsyncClient {
        @Test
        @DisplayName("deploys, invokes, describes and removes a function")
        void fullCycle() {
            try (LambdaAsyncClient async = LambdaAsyncClient.builder()
                    .endpointOverride(fake.endpoint())
                    .region(Region.US_EAST_1)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(Executors.ACCESS_KEY, Executors.SECRET_KEY)))
                    .httpClientBuilder(NettyNioAsyncHttpClient.builder())
                    .build();
                 LambdaExecutor executor = LambdaExecutor.builder().asyncClient(async)
                         .executionRole(LocalLambda.roleArn()).functionNamePrefix("async")
                         .pollInterval(Duration.ofMillis(50)).build()) {
                await(executor.deploy(1, packages.jar(TestHandlers.Upper.class), FaasConfig.defaults()),
                        Duration.ofMinutes(1));
                var invocation = await(executor.invokeWithMetrics(JobCall.of(1, "abc".getBytes(StandardCharsets.UTF_8))));
                assertThat(invocation.output().body()).isEqualTo("ABC".getBytes(StandardCharsets.UTF_8));
                assertThat(invocation.output().metadata()).containsEntry("handler", "upper");
                assertThat(invocation.metrics().coldStart().value()).contains(true);
                assertThat(await(executor.getDeployment(1)).functionId()).isEqualTo("async-job-1");
                await(executor.undeploy(1));
                failureOf(executor.invoke(JobCall.of(1, new byte[0])), FunctionNotFoundException.class);
            }
        }
    }
}
