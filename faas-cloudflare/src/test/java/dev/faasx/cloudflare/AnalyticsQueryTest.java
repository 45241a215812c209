package dev.faasx.cloudflare;

import static dev.faasx.cloudflare.CloudflareWorkersExecutorTest.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.cloudflare.support.Workerd;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.Provenance;
import dev.faasx.testkit.CompatibilityFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Analytics Engine round trip: the wrapper writes a data point per invocation on workerd, the local API serves
 * them through the SQL API, and {@link AnalyticsQuery} reads them back by request id and counts them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AnalyticsQueryTest {
    private static final long JOB = 301;

    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    private CloudflareWorkersExecutor executor;
    private Instant started;
    private List<Invocation> succeeded;

    @BeforeAll
    void invokeAFewTimes() {
        runtime = LocalWorkersRuntime.builder().workerdBinary(Workerd.binary()).build();
        api = LocalCloudflareApi.builder().runtime(runtime).build();
        executor = LocalCloudflare.executor(api).build();
        started = Instant.now();
        await(executor.deploy(JOB, LocalCloudflare.compatibilityWorker(), FaasConfig.defaults()));
        // A fresh isolate that no readiness probe has touched, so that the first invocation is a cold start.
        runtime.deploy(runtime.worker("faasx-job-" + JOB).orElseThrow().script());
        succeeded = List.of(
                await(executor.invokeWithMetrics(JobCall.of(JOB, "one".getBytes(UTF_8)))),
                await(executor.invokeWithMetrics(JobCall.of(JOB, "two".getBytes(UTF_8)))));
        Throwable failed = catchThrowable(() -> await(executor.invoke(JobCall.of(JOB,
                CompatibilityFunction.failCommand("recorded failure")))));
        assertThat(failed).isInstanceOf(FunctionErrorException.class);
        String failedId = ((FunctionErrorException) failed).requestId().orElseThrow();
        // Data points travel on their own after each answer: wait until all three are there before counting.
        List<String> all = List.of(succeeded.get(0).metrics().requestId().orElseThrow(),
                succeeded.get(1).metrics().requestId().orElseThrow(), failedId);
        assertThat(await(executor.analytics().awaitInvocations(JOB, all, started, Duration.ofSeconds(30))))
                .containsOnlyKeys(all);
    }

    @AfterAll
    void stop() {
        if (api != null) {
            api.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Nested
    class ByRequestId {
        @Test
        void findsTheRecordOfEachInvocation() {
            List<String> ids = succeeded.stream().map(i -> i.metrics().requestId().orElseThrow()).toList();

            Map<String, InvocationRecord> found = await(executor.analytics().awaitInvocations(JOB, ids, started,
                    Duration.ofSeconds(30)));

            assertThat(found).containsOnlyKeys(ids);
            InvocationRecord first = found.get(ids.get(0));
            assertThat(first.scriptName()).isEqualTo("faasx-job-301");
            assertThat(first.jobId()).hasValue(JOB);
            assertThat(first.outcome()).isEqualTo("success");
            assertThat(first.httpStatus()).isEqualTo(200);
            assertThat(first.coldStart()).contains(true);
            assertThat(found.get(ids.get(1)).coldStart()).contains(false);
            assertThat(first.sampleInterval()).isEqualTo(1);
            assertThat(first.timestamp()).isBetween(started.minusSeconds(2), Instant.now().plusSeconds(2));
        }

        @Test
        void confirmsAnInvocationsFiguresAsTheWrapperRecordedThem() {
            Invocation second = succeeded.get(1);

            InvocationMetrics confirmed = await(executor.analytics().recordedMetrics(JOB, second,
                    Duration.ofSeconds(30))).orElseThrow();

            // the data point was written by faasx's wrapper: the function's own report, not Cloudflare's accounting
            assertThat(confirmed.coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(confirmed.coldStart().value()).contains(false);
            assertThat(confirmed.executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);
            assertThat(confirmed.totalDuration()).isEqualTo(second.metrics().totalDuration());
        }

        @Test
        void saysNotConfirmedWhenNoRecordArrives() {
            Invocation unknown = new Invocation(succeeded.get(0).output(), succeeded.get(0).metrics().toBuilder()
                    .requestId("never-recorded-request").build());

            assertThat(await(executor.analytics().recordedMetrics(JOB, unknown, Duration.ofMillis(300)))).isEmpty();
        }

        @Test
        void givesUpAfterTheBoundedWaitWithWhatItFound() {
            Map<String, InvocationRecord> found = await(executor.analytics().awaitInvocations(JOB,
                    List.of("no-such-request"), started, Duration.ofMillis(300)));

            assertThat(found).isEmpty();
        }
    }

    @Nested
    class Counting {
        @Test
        void countsInvocationsByOutcomeWithTheSampleInterval() {
            InvocationCounts counts = await(executor.analytics().counts(JOB, started.minusSeconds(1),
                    Instant.now().plusSeconds(1)));

            assertThat(counts.total()).isEqualTo(3);
            assertThat(counts.succeeded()).isEqualTo(2);
            assertThat(counts.failed()).isEqualTo(1);
            assertThat(counts.timedOut()).isZero();
            assertThat(counts.cold()).isEqualTo(1);
        }

        @Test
        void countsNothingOutsideTheWindow() {
            InvocationCounts counts = await(executor.analytics().counts(JOB, started.minus(Duration.ofDays(2)),
                    started.minus(Duration.ofDays(1))));

            assertThat(counts.total()).isZero();
        }
    }
}
