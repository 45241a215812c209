package dev.faasx.testkit;

import static dev.faasx.testkit.CompatibilityFunction.failCommand;
import static dev.faasx.testkit.CompatibilityFunction.sleepCommand;
import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.PackageKind;
import dev.faasx.core.Provenance;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class InMemoryExecutorTest {
    private static final long JOB = 7;
    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(30);

    private final InMemoryExecutor executor = InMemoryExecutor.create();

    @AfterEach
    void close() {
        executor.close();
    }

    private void deploy(FunctionPackage functionPackage, FaasConfig config) {
        await(executor.deploy(JOB, functionPackage, config));
    }

    private void deployCompatibilityFunction(FaasConfig config) {
        deploy(HandlerJar.of(CompatibilityFunction.class), config);
    }

    private CompletableFuture<Invocation> invoke(byte[] body) {
        return executor.invokeWithMetrics(JobCall.of(JOB, body));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** Invokes until the platform admits the call (a freed slot may take a moment to come back). */
    private Invocation invokeOnceAdmitted(byte[] body) throws InterruptedException {
        long deadline = System.nanoTime() + ADMISSION_WAIT.toNanos();
        while (true) {
            try {
                return await(invoke(body));
            } catch (ThrottledException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("still throttled after " + ADMISSION_WAIT, e);
                }
                Thread.sleep(20);
            }
        }
    }

    @Nested
    @DisplayName("deploy")
    class Deploy {
        @Test
        void acceptsOnlyJarsAndNamesTheKindItRuns() {
            assertThat(executor.supportedPackageKinds()).containsExactly(PackageKind.JAR);
            InvalidRequestException e = failureOf(executor.deploy(JOB, FunctionPackage.bootstrapScript(
                    "#!/bin/sh\ncat\n"), FaasConfig.defaults()), InvalidRequestException.class);
            assertThat(e.reason()).contains("JAR").contains("NATIVE_BOOTSTRAP");
            assertThat(e.provider()).isEqualTo("in-memory");
            failureOf(executor.getDeployment(JOB), FunctionNotFoundException.class);
        }

        @Test
        void rejectsAJarWithoutTheHandlerClass() {
            FunctionPackage.Jar jar = FunctionPackage.jar(HandlerJar.jarBytes(TestHandlers.ReturnsNull.class),
                    CompatibilityFunction.class.getName());
            assertThat(failureOf(executor.deploy(JOB, jar, FaasConfig.defaults()), InvalidRequestException.class)
                    .reason()).contains("is not in the JAR");
        }

        @Test
        void rejectsAClassThatIsNotAJobHandler() {
            FunctionPackage.Jar jar = FunctionPackage.jar(HandlerJar.jarBytes(TestHandlers.NotAHandler.class),
                    TestHandlers.NotAHandler.class.getName());
            assertThat(failureOf(executor.deploy(JOB, jar, FaasConfig.defaults()), InvalidRequestException.class)
                    .reason()).contains("does not implement dev.faasx.core.JobHandler");
        }

        @Test
        void rejectsAHandlerWithoutANoArgumentConstructor() {
            assertThat(failureOf(executor.deploy(JOB, HandlerJar.of(TestHandlers.NeedsArgument.class),
                    FaasConfig.defaults()), InvalidRequestException.class).reason())
                    .contains("public no-argument constructor");
        }

        @Test
        void rejectsBytesThatAreNotAJar() {
            FunctionPackage.Jar jar = FunctionPackage.jar(bytes("not a jar at all"), "a.B");
            assertThat(failureOf(executor.deploy(JOB, jar, FaasConfig.defaults()), InvalidRequestException.class)
                    .reason()).contains("JAR");
        }

        @Test
        void rejectsAMethodReferenceAsHandler() {
            FunctionPackage.Jar jar = FunctionPackage.jar(HandlerJar.jarBytes(CompatibilityFunction.class),
                    CompatibilityFunction.class.getName() + "::handle");
            assertThat(failureOf(executor.deploy(JOB, jar, FaasConfig.defaults()), InvalidRequestException.class)
                    .reason()).contains("names a method");
        }

        @Test
        void describesWhatItDeployed() {
            FunctionPackage.Jar jar = HandlerJar.of(CompatibilityFunction.class);
            FaasConfig config = FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(9)).build();
            deploy(jar, config);
            var deployment = await(executor.getDeployment(JOB));
            assertThat(deployment.functionId()).isEqualTo("faasx-job-7");
            assertThat(deployment.memoryMb()).hasValue(256);
            assertThat(deployment.timeout()).hasValue(Duration.ofSeconds(9));
            assertThat(deployment.packageSizeBytes()).hasValue(jar.sizeBytes());
            assertThat(deployment.deployedAt()).isPresent();
            assertThat(deployment.coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
        }
    }

    @Nested
    @DisplayName("running a handler")
    class Running {
        @Test
        void setsTheFunctionsClassLoaderAsContextClassLoader() {
            deploy(HandlerJar.of(TestHandlers.ContextLoaderName.class), FaasConfig.defaults());
            assertThat(new String(await(invoke(new byte[0])).output().body(), UTF_8)).isEqualTo("faasx-job-7");
        }

        @Test
        void reportsANullOutputAsAFunctionError() {
            deploy(HandlerJar.of(TestHandlers.ReturnsNull.class), FaasConfig.defaults());
            assertThat(failureOf(invoke(new byte[0]), FunctionErrorException.class).reason()).contains("null");
        }

        @Test
        void reportsTheHandlerExceptionTypeAndMessage() {
            deployCompatibilityFunction(FaasConfig.defaults());
            FunctionErrorException e = failureOf(invoke(failCommand("boom")), FunctionErrorException.class);
            assertThat(e.reason()).isEqualTo("boom");
            assertThat(e.errorType()).hasValue(CompatibilityFunction.RequestedFailure.class.getName());
            assertThat(e.functionId()).hasValue("faasx-job-7");
        }

        @Test
        void reportsAHandlerThatCannotBeCreatedAsFailingAndUnhealthy() {
            deploy(HandlerJar.of(TestHandlers.FailsToStart.class), FaasConfig.defaults());
            assertThat(failureOf(invoke(new byte[0]), FunctionErrorException.class).reason())
                    .isEqualTo("no database configured");
            FaasHealth health = await(executor.healthCheck(JOB));
            assertThat(health.healthy()).isFalse();
            assertThat(health.detail()).hasValue("no database configured");
            failureOf(executor.warm(JOB), FunctionErrorException.class);
        }
    }

    @Nested
    @DisplayName("cold and warm starts")
    class ColdAndWarm {
        @Test
        void theFirstCallIsColdAndTheNextWarm() {
            deployCompatibilityFunction(FaasConfig.defaults());
            Invocation first = await(invoke(bytes("one")));
            Invocation second = await(invoke(bytes("two")));
            assertThat(first.metrics().coldStart().value()).hasValue(true);
            assertThat(first.metrics().coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(first.metrics().initDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(second.metrics().coldStart().value()).hasValue(false);
            assertThat(second.metrics().initDuration().isKnown()).isFalse();
            assertThat(second.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(second.metrics().memoryUsedMb().isKnown()).isFalse();
            assertThat(second.metrics().billedDuration().isKnown()).isFalse();
        }

        @Test
        void warmMakesTheFirstCallWarm() {
            deployCompatibilityFunction(FaasConfig.defaults());
            await(executor.warm(JOB));
            assertThat(await(invoke(bytes("one"))).metrics().coldStart().value()).hasValue(false);
        }

        @Test
        void warmReadiesKeepWarmInstancesForConcurrentCalls() {
            deployCompatibilityFunction(FaasConfig.builder().maxConcurrency(3).keepWarmInstances(3).build());
            await(executor.warm(JOB));
            List<CompletableFuture<Invocation>> calls = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                calls.add(invoke(sleepCommand(Duration.ofMillis(300))));
            }
            for (CompletableFuture<Invocation> call : calls) {
                assertThat(await(call).metrics().coldStart().value()).hasValue(false);
            }
        }

        @Test
        void aRedeployedFunctionStartsCold() {
            deployCompatibilityFunction(FaasConfig.defaults());
            await(invoke(bytes("one")));
            deployCompatibilityFunction(FaasConfig.defaults());
            assertThat(await(invoke(bytes("two"))).metrics().coldStart().value()).hasValue(true);
        }
    }

    @Nested
    @DisplayName("limits")
    class Limits {
        @Test
        void throttlesCallsBeyondMaxConcurrencyUntilASlotFrees() throws InterruptedException {
            deployCompatibilityFunction(FaasConfig.builder().maxConcurrency(1).timeout(Duration.ofSeconds(120))
                    .build());
            CompletableFuture<Invocation> slow = invoke(sleepCommand(Duration.ofSeconds(100)));
            ThrottledException throttled = failureOf(invoke(bytes("excess")), ThrottledException.class);
            assertThat(throttled.isRetryable()).isTrue();
            assertThat(throttled.mayHaveRun()).isFalse();
            assertThat(throttled.reason()).contains("1 concurrent");
            assertThat(await(executor.healthCheck(JOB)).healthy()).as("health while the only slot is busy").isTrue();

            slow.cancel(true); // interrupts the sleeping handler, which frees the slot
            assertThat(invokeOnceAdmitted(bytes("after")).output().body()).isEqualTo(bytes("after"));
        }

        @Test
        void interruptsACallThatOutlivesTheTimeoutAndDiscardsItsInstance() throws InterruptedException {
            deployCompatibilityFunction(FaasConfig.builder().maxConcurrency(1).timeout(Duration.ofSeconds(1))
                    .build());
            FaasTimeoutException timeout = failureOf(invoke(sleepCommand(Duration.ofSeconds(100))),
                    FaasTimeoutException.class);
            assertThat(timeout.timeout()).hasValue(Duration.ofSeconds(1));
            assertThat(timeout.isRetryable()).isTrue();
            // With one slot, the next call is admitted well before the 100 s sleep ends only if the handler
            // was interrupted; it runs on a new instance.
            Invocation next = invokeOnceAdmitted(bytes("next"));
            assertThat(next.output().body()).isEqualTo(bytes("next"));
            assertThat(next.metrics().coldStart().value()).hasValue(true);
        }
    }

    @Nested
    @DisplayName("undeployed and closed")
    class Lifecycle {
        @Test
        void everyOperationOnAnUndeployedJobFailsWithNotFound() {
            failureOf(invoke(bytes("x")), FunctionNotFoundException.class);
            failureOf(executor.healthCheck(JOB), FunctionNotFoundException.class);
            failureOf(executor.warm(JOB), FunctionNotFoundException.class);
            failureOf(executor.getDeployment(JOB), FunctionNotFoundException.class);
            await(executor.undeploy(JOB));
        }

        @Test
        void aCallRunningWhenTheExecutorClosesFinishes() {
            deployCompatibilityFunction(FaasConfig.defaults());
            byte[] body = sleepCommand(Duration.ofMillis(300));
            CompletableFuture<Invocation> running = invoke(body);
            executor.close();
            assertThat(await(running).output().body()).isEqualTo(body);
        }

        @Test
        void aClosedExecutorRefusesWork() {
            executor.close();
            executor.close();
            failureOf(invoke(bytes("x")), ProviderException.class);
            failureOf(executor.deploy(JOB, HandlerJar.of(CompatibilityFunction.class), FaasConfig.defaults()),
                    ProviderException.class);
        }
    }
}
