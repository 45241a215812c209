package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.call;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.NoRouteException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Many calls, mixed over local handlers and an executor that succeeds, fails, throws and hangs at random (seeded):
 * every call gets exactly one result, with its own call id, typed as its scripted outcome demands.
 */
class FaasRunnerStressTest {
    private static final int CALLS = 10_000;
    private static final long LOCAL = 1;
    private static final long LOCAL_THROWS = 2;
    private static final long LOCAL_SLOW = 3;
    private static final long REMOTE = 10;
    private static final long REMOTE_SLOW = 11;
    private static final long UNROUTED = 99;
    // Only the jobs scripted to hang get a short deadline; the others get a long one, which they must never reach
    // even on a loaded machine, so that their timers are exercised without making the outcome depend on timing.
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(100);
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(30);

    /** What a call is scripted to do, and the result type that must come of it. */
    enum Kind {
        LOCAL_OK(LOCAL, null, 30),
        LOCAL_THROW(LOCAL_THROWS, FunctionErrorException.class, 8),
        LOCAL_PAST_DEADLINE(LOCAL_SLOW, FaasTimeoutException.class, 1),
        REMOTE_OK(REMOTE, null, 20),
        REMOTE_OK_LATER(REMOTE, null, 10),
        REMOTE_THROTTLED(REMOTE, ThrottledException.class, 6),
        REMOTE_THROTTLED_LATER(REMOTE, ThrottledException.class, 4),
        REMOTE_FUNCTION_ERROR(REMOTE, FunctionErrorException.class, 6),
        REMOTE_PROVIDER_ERROR(REMOTE, ProviderException.class, 4),
        REMOTE_THROWS_UNTYPED(REMOTE, ProviderException.class, 2),
        REMOTE_HANGS(REMOTE_SLOW, FaasTimeoutException.class, 5),
        NO_ROUTE(UNROUTED, NoRouteException.class, 4);

        final long jobId;
        final Class<? extends Exception> expected;
        final int weight;

        Kind(long jobId, Class<? extends Exception> expected, int weight) {
            this.jobId = jobId;
            this.expected = expected;
            this.weight = weight;
        }

        String expectedName() {
            return expected == null ? "Success" : expected.getSimpleName();
        }
    }

    private final ScheduledExecutorService platformThreads = Executors.newScheduledThreadPool(2);
    private final Map<String, Kind> plan = new LinkedHashMap<>();
    private FaasRunner runner;

    @AfterEach
    void stop() throws InterruptedException {
        Await.stopped(runner);
        platformThreads.shutdownNow();
    }

    private List<JobCall> plannedCalls(String prefix, int count, long seed) {
        Random random = new Random(seed);
        List<Kind> weighted = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < kind.weight; i++) {
                weighted.add(kind);
            }
        }
        List<JobCall> calls = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Kind kind = weighted.get(random.nextInt(weighted.size()));
            String callId = prefix + i;
            plan.put(callId, kind);
            calls.add(call(kind.jobId, callId, kind.name()));
        }
        return calls;
    }

    /** The platform: answers each call as its body (the kind's name) says. */
    private CompletableFuture<Invocation> platform(JobCall call) {
        ErrorContext ctx = ErrorContext.of("chaos", call.jobId());
        Invocation ok = new Invocation(JobOutput.of(call.body(), call.metadata()), ScriptedExecutor.METRICS);
        long delayMicros = 200 + (call.callId().hashCode() & 0x7ff);
        return switch (Kind.valueOf(new String(call.body(), UTF_8))) {
            case REMOTE_OK -> CompletableFuture.completedFuture(ok);
            case REMOTE_OK_LATER -> later(delayMicros, f -> f.complete(ok));
            case REMOTE_THROTTLED -> CompletableFuture.failedFuture(new ThrottledException("rate exceeded", ctx));
            case REMOTE_THROTTLED_LATER -> later(delayMicros,
                    f -> f.completeExceptionally(new ThrottledException("rate exceeded", ctx)));
            case REMOTE_FUNCTION_ERROR -> CompletableFuture.failedFuture(
                    new FunctionErrorException("bad input", "ValueError", ctx, null));
            case REMOTE_PROVIDER_ERROR -> CompletableFuture.failedFuture(
                    new ProviderException("bad gateway", false, true, ctx));
            case REMOTE_THROWS_UNTYPED -> throw new IllegalStateException("executor bug");
            case REMOTE_HANGS -> new CompletableFuture<>();
            default -> throw new AssertionError("not a remote kind: " + call.callId());
        };
    }

    private CompletableFuture<Invocation> later(long micros,
                                                java.util.function.Consumer<CompletableFuture<Invocation>> action) {
        CompletableFuture<Invocation> future = new CompletableFuture<>();
        platformThreads.schedule(() -> action.accept(future), micros, TimeUnit.MICROSECONDS);
        return future;
    }

    private FaasRunner.Builder chaosRunner() {
        ScriptedExecutor chaos = ScriptedExecutor.named("chaos").otherwise(this::platform);
        JobPolicy shortDeadline = JobPolicy.builder().deadline(SHORT_DEADLINE).build();
        return FaasRunner.builder().maxInFlight(64).localThreads(4)
                .router(JobRouter.builder()
                        .route(LOCAL, Calls.LOCAL_ECHO)
                        .route(LOCAL_THROWS, c -> {
                            throw new IllegalArgumentException("cannot parse " + c.callId());
                        })
                        .route(LOCAL_SLOW, c -> {
                            Thread.sleep(Long.MAX_VALUE);
                            return JobOutput.empty();
                        })
                        .build())
                .withFaasExecutor(REMOTE, chaos)
                .withFaasExecutor(REMOTE_SLOW, chaos)
                .policy(LOCAL_SLOW, shortDeadline)
                .policy(REMOTE_SLOW, shortDeadline)
                .policy(REMOTE, JobPolicy.builder().deadline(LONG_DEADLINE).build());
    }

    private void assertEveryCallHasExactlyItsScriptedResult(List<JobResult> results) {
        assertThat(results).hasSize(plan.size());
        assertThat(results).extracting(JobResult::callId).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(plan.keySet());
        Map<String, Long> byType = new HashMap<>();
        for (JobResult result : results) {
            Kind kind = plan.get(result.callId());
            String type = result instanceof JobResult.Failure f ? f.error().getClass().getSimpleName() : "Success";
            assertThat(type).as("result of %s (%s)", result.callId(), kind).isEqualTo(kind.expectedName());
            assertThat(result.jobId()).isEqualTo(kind.jobId);
            byType.merge(type, 1L, Long::sum);
        }
        Map<String, Long> expected = plan.values().stream()
                .collect(Collectors.groupingBy(Kind::expectedName, Collectors.counting()));
        assertThat(byType).isEqualTo(expected);
        assertThat(byType.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(plan.size());
        assertThat(byType.keySet()).containsExactlyInAnyOrder("Success", "FunctionErrorException",
                "FaasTimeoutException", "ThrottledException", "ProviderException", "NoRouteException");
    }

    @Nested
    class FromAProducer {
        @Test
        void tenThousandMixedCallsYieldTenThousandCorrectlyTypedResults() {
            List<JobCall> calls = plannedCalls("p-", CALLS, 42);
            RecordingConsumer consumer = new RecordingConsumer();
            RecordingListener listener = new RecordingListener();
            runner = chaosRunner().producer(JobProducer.of(calls)).consumer(consumer).listener(listener).build();

            runner.run();

            assertEveryCallHasExactlyItsScriptedResult(consumer.results());
            assertThat(consumer.wasCalledConcurrently()).isFalse();
            assertThat(listener.finished).hasSize(CALLS);
        }
    }

    @Nested
    class FromSeveralThreadsAtOnce {
        @Test
        void directCallsYieldOneCorrectlyTypedResultEach() throws Exception {
            int threads = 4;
            List<List<JobCall>> perThread = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                perThread.add(plannedCalls("t" + t + "-", CALLS / threads, 7 + t));
            }
            RecordingListener listener = new RecordingListener();
            runner = chaosRunner().listener(listener).build();
            Map<String, JobResult> results = new ConcurrentHashMap<>();
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (List<JobCall> calls : perThread) {
                senders.add(CompletableFuture.runAsync(() -> {
                    List<CompletableFuture<JobResult>> futures = new ArrayList<>();
                    for (JobCall c : calls) {
                        futures.add(runner.call(c));
                    }
                    for (CompletableFuture<JobResult> f : futures) {
                        JobResult r = f.join();
                        assertThat(results.put(r.callId(), r)).as("second result for %s", r.callId()).isNull();
                    }
                }));
            }

            CompletableFuture.allOf(senders.toArray(new CompletableFuture<?>[0]))
                    .get(Await.LIMIT.toSeconds() * 3, TimeUnit.SECONDS);

            assertEveryCallHasExactlyItsScriptedResult(new ArrayList<>(results.values()));
            assertThat(listener.finished).hasSize(CALLS);
        }
    }
}
