package dev.faasx.testkit;

import static dev.faasx.testkit.CompatibilityFunction.envCommand;
import static dev.faasx.testkit.CompatibilityFunction.failCommand;
import static dev.faasx.testkit.CompatibilityFunction.sleepCommand;
import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.PackageKind;
import dev.faasx.core.WorkerModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/**
 * The behaviour every {@link FaasExecutor} must show, as JUnit 5 tests that each provider module's tests extend
 * (in the manner of Micrometer's {@code MeterRegistryCompatibilityKit}).
 *
 * <p>A subclass gives the executor under test and a package, for that platform, of a function that speaks the
 * {@link CompatibilityFunction compatibility protocol}. Before each test the kit deploys that function under a
 * fresh job id with {@link #config()}; after each test it undeploys every job it deployed, and after the last
 * test it undeploys any leftovers and {@linkplain FaasExecutor#close() closes} the executor. One kit instance
 * serves all tests of a class ({@link TestInstance.Lifecycle#PER_CLASS}), so {@link #executor()} may simply
 * return a field; its tests run one at a time, even where JUnit runs tests in parallel. Waits are generous (30 s
 * per call, 2 min per deploy) so that a loaded machine or a real platform does not make the kit flaky; no test
 * asserts how fast anything is.
 *
 * <p>What it checks: a deployed function is healthy and described (function id, job id, provider) by deploy and
 * {@code getDeployment}, can be warmed and redeployed; bodies come back byte for byte (all 256 byte values, empty,
 * 1 MiB) with their metadata; a function's failure fails the call with a {@link FunctionErrorException} carrying
 * its message, and the function answers the next call; a call that outlives the timeout fails with a
 * {@link FaasTimeoutException}; configured environment variables reach the function; 16 concurrent calls each get
 * their own answer; an undeployed or never deployed job is not found, and undeploy is idempotent; the total
 * duration is measured by the client and every other figure is honest ({@link MetricsAssertions}).
 *
 * <p>A platform that cannot do something the kit checks (environment variables, call metadata, timeouts, warming,
 * concurrent calls) overrides the matching {@code supports...()} method to return {@code false}; the test is then
 * reported as skipped, not passed.
 *
 * <pre>{@code
 * class InMemoryExecutorCompatibilityTest extends FaasExecutorCompatibilityKit {
 *     private final InMemoryExecutor executor = InMemoryExecutor.create();
 *
 *     protected FaasExecutor executor() {
 *         return executor;
 *     }
 *
 *     protected FunctionPackage compatibilityFunction() {
 *         return HandlerJar.of(CompatibilityFunction.class);
 *     }
 * }
 * }</pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.SAME_THREAD)
public abstract class FaasExecutorCompatibilityKit {
    /** The environment variable {@link #config()} sets and the environment test reads. */
    public static final String ENV_VAR_NAME = "FAASX_KIT_ENV";
    /** Its value: printable ASCII with spaces and punctuation, so that it survives every platform's encoding. */
    public static final String ENV_VAR_VALUE = "faasx kit: value=42, ok";
    /** How long the kit waits for an invocation or a management call. */
    protected static final Duration CALL_WAIT = Duration.ofSeconds(30);
    /** How long the kit waits for a deployment. */
    protected static final Duration DEPLOY_WAIT = Duration.ofMinutes(2);
    private static final int CONCURRENT_CALLS = 16;

    private final Set<Long> deployedJobs = ConcurrentHashMap.newKeySet();
    private final AtomicLong jobCounter = new AtomicLong();
    private final long defaultJobIdBase = 1_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000) * 1_000;
    private Long jobIdBase;
    private long jobId;
    private FaasDeployment deployment;

    /** The executor under test: the same instance for every test of the class. The kit closes it at the end. */
    protected abstract FaasExecutor executor();

    /** A package, runnable on this platform, of a function that speaks the compatibility protocol. */
    protected abstract FunctionPackage compatibilityFunction();

    /**
     * The configuration the compatibility function is deployed with: 256 MiB, a 3 s timeout (so the timeout test
     * is quick), 32 concurrent calls and {@value #ENV_VAR_NAME}={@value #ENV_VAR_VALUE}. An override should start
     * from {@code super.config().toBuilder()} so that the environment variable and a concurrency of at least 16
     * remain.
     */
    protected FaasConfig config() {
        return FaasConfig.builder()
                .memoryMb(256)
                .timeout(Duration.ofSeconds(3))
                .maxConcurrency(32)
                .envVar(ENV_VAR_NAME, ENV_VAR_VALUE)
                .build();
    }

    /**
     * The first job id the kit uses; each test takes the next ones. By default a random multiple of 1000 between
     * 10^9 and 2&middot;10^9 (chosen per class, so parallel runs against one account rarely meet, and small
     * enough for platforms that hold job ids in 32-bit or JavaScript numbers).
     */
    protected long jobIdBase() {
        return defaultJobIdBase;
    }

    /** Whether functions on this platform see {@link FaasConfig#envVars()}. */
    protected boolean supportsEnvironmentVariables() {
        return true;
    }

    /** Whether call metadata reaches the function and its metadata comes back. */
    protected boolean supportsCallMetadata() {
        return true;
    }

    /** Whether the platform ends calls that outlive {@link FaasConfig#timeout()}. */
    protected boolean supportsTimeouts() {
        return true;
    }

    /** Whether {@link FaasExecutor#warm} is offered (a no-op that completes counts as offered). */
    protected boolean supportsWarm() {
        return true;
    }

    /** Whether the platform runs 16 calls of one function at once. */
    protected boolean supportsConcurrentInvocations() {
        return true;
    }

    /**
     * How long each call of the overlap test runs (default 3 s): all 16 must be running at one moment within it.
     * Platforms whose warm instances answer slowly on a small machine may need longer; it must stay below the
     * {@link #config()} timeout.
     */
    protected Duration overlapWindow() {
        return Duration.ofMillis(2500);
    }

    /**
     * How long the concurrency test waits for each of its calls. Platforms whose every new instance is a cold
     * start of a whole runtime (a JVM per instance on a local fake, say) may need longer on a small machine.
     */
    protected Duration concurrentCallsWait() {
        return CALL_WAIT;
    }

    /** The job id of the function deployed for the current test. */
    protected final long jobId() {
        return jobId;
    }

    /** A job id no test of this kit instance has used yet. */
    protected final synchronized long freshJobId() {
        if (jobIdBase == null) {
            jobIdBase = jobIdBase();
        }
        return jobIdBase + jobCounter.getAndIncrement();
    }

    /** Deploys the compatibility function for {@code jobId} with {@link #config()}; undeployed after the test. */
    protected final FaasDeployment deployCompatibilityFunction(long jobId) {
        deployedJobs.add(jobId);
        return await(executor().deploy(jobId, compatibilityFunction(), config()), DEPLOY_WAIT);
    }

    /** Invokes the current test's function with {@code body}; the future is not awaited. */
    protected final CompletableFuture<Invocation> invoke(byte[] body) {
        return executor().invokeWithMetrics(JobCall.of(jobId, body));
    }

    /** Invokes the current test's function with {@code body} and waits for the output. */
    protected final JobOutput call(byte[] body) {
        return await(invoke(body)).output();
    }

    @BeforeEach
    void deployFunctionForTest() {
        jobId = freshJobId();
        deployment = deployCompatibilityFunction(jobId);
    }

    @AfterEach
    void undeployFunctionsOfTest() {
        for (Long id : List.copyOf(deployedJobs)) {
            await(executor().undeploy(id));
            deployedJobs.remove(id);
        }
    }

    @AfterAll
    void undeployLeftoversAndClose() {
        try {
            // Best effort, bounded: a test that failed to undeploy has already been reported.
            for (Long id : List.copyOf(deployedJobs)) {
                executor().undeploy(id).exceptionally(e -> null)
                        .completeOnTimeout(null, CALL_WAIT.toSeconds(), TimeUnit.SECONDS).join();
            }
        } finally {
            executor().close();
            // close() is idempotent: a second close must neither throw nor hang.
            executor().close();
        }
    }

    @Nested
    @DisplayName("a freshly deployed function")
    class Deployed {
        @Test
        @DisplayName("reports healthy")
        void reportsHealthy() {
            FaasHealth health = await(executor().healthCheck(jobId));
            assertThat(health.healthy()).as("healthy (detail: %s)", health.detail().orElse("none")).isTrue();
        }

        @Test
        @DisplayName("is described by deploy and getDeployment with its function id, job id and provider")
        void isDescribed() {
            FaasDeployment described = await(executor().getDeployment(jobId));
            for (FaasDeployment d : List.of(deployment, described)) {
                assertThat(d.functionId()).isNotBlank();
                assertThat(d.jobId()).isEqualTo(jobId);
                assertThat(d.provider()).isEqualTo(executor().providerName());
            }
            assertThat(described.functionId()).isEqualTo(deployment.functionId());
        }

        @Test
        @DisplayName("warms, and answers the next call")
        void warmsThenAnswers() {
            assumeTrue(supportsWarm(), "the platform does not offer warming");
            await(executor().warm(jobId));
            assertThat(call(bytes("after warm")).body()).isEqualTo(bytes("after warm"));
        }

        @Test
        @DisplayName("can be deployed again under the same job id, and answers")
        void redeploys() {
            FaasDeployment again = deployCompatibilityFunction(jobId);
            assertThat(again.jobId()).isEqualTo(jobId);
            assertThat(call(bytes("redeployed")).body()).isEqualTo(bytes("redeployed"));
        }
    }

    @Nested
    @DisplayName("a call")
    class RoundTrip {
        @Test
        @DisplayName("carries all 256 byte values there and back unchanged")
        void carriesEveryByteValue() {
            byte[] body = new byte[256];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) i;
            }
            assertThat(call(body).body()).isEqualTo(body);
        }

        @Test
        @DisplayName("with an empty body gets an empty body back")
        void carriesEmptyBody() {
            assertThat(call(new byte[0]).body()).isEmpty();
        }

        @Test
        @DisplayName("carries 1 MiB of random bytes unchanged")
        void carriesOneMebibyte() {
            byte[] body = new byte[1024 * 1024];
            new Random(20_240_601L).nextBytes(body);
            assertThat(call(body).body()).isEqualTo(body);
        }

        @Test
        @DisplayName("gets its metadata echoed back")
        void echoesMetadata() {
            assumeTrue(supportsCallMetadata(), "the platform does not carry call metadata");
            Map<String, String> metadata = Map.of("trace-id", "4bf92f3577b34da6", "tenant", "acme", "note",
                    "grüße, 世界 & \"quotes\"");
            JobCall call = JobCall.builder(jobId).body(bytes("with metadata")).metadata(metadata).build();
            JobOutput output = await(executor().invoke(call));
            assertThat(output.body()).isEqualTo(bytes("with metadata"));
            assertThat(output.metadata()).containsAllEntriesOf(metadata);
        }
    }

    @Nested
    @DisplayName("a function that fails")
    class Failures {
        @Test
        @DisplayName("fails the call with FunctionErrorException carrying its message")
        void functionErrorFailsTheCall() {
            FunctionErrorException error = failureOf(invoke(failCommand("boom")), FunctionErrorException.class);
            assertThat(error.reason()).contains("boom");
            assertThat(error.provider()).isEqualTo(executor().providerName());
            assertThat(error.jobId()).hasValue(jobId);
            assertThat(error.isRetryable()).isFalse();
        }

        @Test
        @DisplayName("because an environment variable is not set fails the call")
        void missingEnvironmentVariableFailsTheCall() {
            String unset = "FAASX_KIT_UNSET_" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong());
            FunctionErrorException error = failureOf(invoke(envCommand(unset)), FunctionErrorException.class);
            assertThat(error.reason()).contains(unset);
        }

        @Test
        @DisplayName("and still answers the next call")
        void answersAfterFailure() {
            failureOf(invoke(failCommand("first")), FunctionErrorException.class);
            assertThat(call(bytes("second")).body()).isEqualTo(bytes("second"));
        }
    }

    @Nested
    @DisplayName("the timeout")
    class Timeouts {
        @Test
        @DisplayName("lets a call that finishes in time succeed")
        void callWithinTimeoutSucceeds() {
            byte[] body = sleepCommand(Duration.ofMillis(200));
            assertThat(call(body).body()).isEqualTo(body);
        }

        @Test
        @DisplayName("fails a call that runs longer with FaasTimeoutException, and the function answers again")
        void callBeyondTimeoutFails() {
            assumeTrue(supportsTimeouts(), "the platform does not enforce timeouts");
            Duration timeout = config().timeout();
            CompletableFuture<Invocation> slow = invoke(sleepCommand(timeout.plusSeconds(5)));
            failureOf(slow, FaasTimeoutException.class, timeout.plus(CALL_WAIT));
            assertThat(call(bytes("after timeout")).body()).isEqualTo(bytes("after timeout"));
        }
    }

    @Nested
    @DisplayName("the environment")
    class Environment {
        @Test
        @DisplayName("passes the configured environment variables to the function")
        void passesEnvironmentVariables() {
            assumeTrue(supportsEnvironmentVariables(), "the platform does not pass environment variables");
            String expected = config().envVars().get(ENV_VAR_NAME);
            assertThat(expected).as("config() must set %s", ENV_VAR_NAME).isNotNull();
            assertThat(new String(call(envCommand(ENV_VAR_NAME)).body(), UTF_8)).isEqualTo(expected);
        }
    }

    @Nested
    @DisplayName("concurrent calls")
    class Concurrency {
        @Test
        @DisplayName("16 at once each get their own answer")
        void concurrentCallsGetTheirOwnAnswers() {
            assumeTrue(supportsConcurrentInvocations(), "the platform does not run calls concurrently");
            List<byte[]> bodies = new ArrayList<>();
            List<CompletableFuture<JobOutput>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_CALLS; i++) {
                byte[] body = bytes("concurrent call " + i + " " + "x".repeat(i * 37));
                JobCall.Builder call = JobCall.builder(jobId).body(body);
                if (supportsCallMetadata()) {
                    call.metadata("index", Integer.toString(i));
                }
                bodies.add(body);
                futures.add(executor().invoke(call.build()));
            }
            for (int i = 0; i < CONCURRENT_CALLS; i++) {
                JobOutput output = await(futures.get(i), concurrentCallsWait());
                assertThat(output.body()).as("body of call %d", i).isEqualTo(bodies.get(i));
                if (supportsCallMetadata()) {
                    assertThat(output.metadata()).as("metadata of call %d", i).containsEntry("index",
                            Integer.toString(i));
                }
            }
        }
    }

    @Nested
    @DisplayName("overlapping calls")
    class Overlap {
        @Test
        @DisplayName("16 at once are all running at one moment")
        void concurrentCallsOverlap() {
            assumeTrue(supportsConcurrentInvocations(), "the platform does not run calls concurrently");
            // A first round lets a platform that scales out start its instances.
            List<CompletableFuture<JobOutput>> warmUp = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_CALLS; i++) {
                warmUp.add(executor().invoke(JobCall.of(jobId, bytes("warm-up " + i))));
            }
            warmUp.forEach(f -> await(f, concurrentCallsWait()));
            List<CompletableFuture<JobOutput>> futures = new ArrayList<>();
            for (int i = 0; i < CONCURRENT_CALLS; i++) {
                futures.add(executor().invoke(JobCall.of(jobId, CompatibilityFunction.windowCommand(overlapWindow()))));
            }
            long latestStart = Long.MIN_VALUE;
            long earliestEnd = Long.MAX_VALUE;
            for (CompletableFuture<JobOutput> f : futures) {
                long[] window = CompatibilityFunction.parseWindow(await(f, concurrentCallsWait()).body());
                latestStart = Math.max(latestStart, window[0]);
                earliestEnd = Math.min(earliestEnd, window[1]);
            }
            assertThat(latestStart).as("the last of 16 calls started (epoch ms) before the first of them ended, so all "
                    + "16 ran at once").isLessThan(earliestEnd);
        }
    }

    @Nested
    @DisplayName("a cancelled invocation")
    class Cancellation {
        @Test
        @DisplayName("ends its future at once, and the function answers the next call")
        void cancellingStopsTheInvocation() {
            CompletableFuture<Invocation> slow = invoke(CompatibilityFunction.sleepCommand(Duration.ofMillis(2500)));
            sleepQuietly(Duration.ofMillis(200));
            long begin = System.nanoTime();
            slow.cancel(true);
            try {
                slow.get(1, TimeUnit.SECONDS);
            } catch (java.util.concurrent.CancellationException | java.util.concurrent.ExecutionException e) {
                // ended, which is what cancelling must do
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("the invocation's future did not end within 1 s of cancel(true)", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));
            assertThat(slow.isDone()).isTrue();
            assertThat(call(bytes("after cancel")).body()).isEqualTo(bytes("after cancel"));
        }
    }

    @Nested
    @DisplayName("package kinds")
    class PackageKinds {
        @Test
        @DisplayName("an unsupported kind is refused, naming the supported ones")
        void refusesAnUnsupportedKind() {
            Set<PackageKind> supported = executor().supportedPackageKinds();
            Optional<PackageKind> unsupported = Arrays.stream(PackageKind.values())
                    .filter(k -> !supported.contains(k)).findFirst();
            assumeTrue(unsupported.isPresent(), "the platform runs every package kind");
            long id = freshJobId();
            deployedJobs.add(id);
            FaasException e = failureOf(executor().deploy(id, samplePackage(unsupported.get()), config()),
                    InvalidRequestException.class);
            for (PackageKind kind : supported) {
                assertThat(e.getMessage()).as("the refusal names the supported kind %s", kind)
                        .contains(kind.name());
            }
        }
    }

    /** A small, well-formed package of {@code kind} (not runnable anywhere: it exists to be refused). */
    private static FunctionPackage samplePackage(PackageKind kind) {
        return switch (kind) {
            case NATIVE_BOOTSTRAP -> FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n");
            case JAR -> HandlerJar.of(CompatibilityFunction.class);
            case SOURCE_BUNDLE -> FunctionPackage.sourceBundle(FunctionPackage.bootstrapScript("#!/bin/sh\n").zip(),
                    "python3.12", "main.handler");
            case WORKER_MODULES -> FunctionPackage.workerModules("index.js", List.of(WorkerModule.esModule("index.js",
                    "export default { fetch() { return new Response('x'); } };")));
        };
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Nested
    @DisplayName("an undeployed function")
    class Undeployed {
        @Test
        @DisplayName("fails calls with FunctionNotFoundException, and undeploying it again succeeds")
        void callsFailAfterUndeploy() {
            await(executor().undeploy(jobId));
            failureOf(invoke(bytes("gone")), FunctionNotFoundException.class);
            await(executor().undeploy(jobId));
        }

        @Test
        @DisplayName("is not found by getDeployment")
        void isNotDescribed() {
            await(executor().undeploy(jobId));
            failureOf(executor().getDeployment(jobId), FunctionNotFoundException.class);
        }

        @Test
        @DisplayName("that was never deployed is not found, and undeploying it succeeds")
        void neverDeployed() {
            long unused = freshJobId();
            failureOf(executor().getDeployment(unused), FunctionNotFoundException.class);
            failureOf(executor().invokeWithMetrics(JobCall.of(unused, bytes("nobody"))),
                    FunctionNotFoundException.class);
            await(executor().undeploy(unused));
        }
    }

    @Nested
    @DisplayName("the metrics of a call")
    class Metrics {
        @Test
        @DisplayName("hold a positive total duration measured by the client")
        void totalDurationIsMeasured() {
            Invocation invocation = await(invoke(bytes("metrics")));
            assertThat(invocation.output().body()).isEqualTo(bytes("metrics"));
            MetricsAssertions.assertTotalDurationMeasured(invocation.metrics());
        }

        @Test
        @DisplayName("give every other figure with its provenance or as unknown, and consistently")
        void figuresCarryProvenance() {
            Invocation first = await(invoke(bytes("first")));
            Invocation second = await(invoke(bytes("second")));
            MetricsAssertions.assertHonest(first.metrics());
            MetricsAssertions.assertHonest(second.metrics());
        }
    }

    /** {@code text} as UTF-8 bytes. */
    protected static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
