package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.call;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.ProviderException;
import dev.faasx.core.ThrottledException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many calls, mixed over local handlers and an executor that succeeds, fails, throws and hangs at random (seeded):
 * every call gets exactly one result, with its own call id, typed as its scripted outcome demands.
 */
@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerStressTest {
    private static final int CALLS = 10_000;
    private static final long LOCAL = 1;
    private static final long LOCAL_THROWS = 2;
    private static final long LOCAL_SLOW = 3;
    private static final long REMOTE = 10;
    private static final long REMOTE_SLOW = 11;
    private static final long REMOTE_RACING = 12;
    private static final long UNROUTED = 99;
    // Only the jobs scripted to hang get a short deadline; the others get a long one, which they must never reach
    // even on a loaded machine, so that their timers are exercised without making the outcome depend on timing.
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(100);
    private static final Duration LONG_DEADLINE = Duration.ofSeconds(30);
    // Answers that arrive right when the deadline fires: either may win, but only one.
    private static final Duration RACING_DEADLINE = Duration.ofMillis(5);

    /** What a call is scripted to do, and the result types that may come of it ("Success" or an error type). */
    enum Kind {
        LOCAL_OK(LOCAL, 30, "Success"),
        LOCAL_THROW(LOCAL_THROWS, 8, "FunctionErrorException"),
        LOCAL_PAST_DEADLINE(LOCAL_SLOW, 1, "FaasTimeoutException"),
        REMOTE_OK(REMOTE, 20, "Success"),
        REMOTE_OK_LATER(REMOTE, 10, "Success"),
        REMOTE_THROTTLED(REMOTE, 6, "ThrottledException"),
        REMOTE_THROTTLED_LATER(REMOTE, 4, "ThrottledException"),
        REMOTE_FUNCTION_ERROR(REMOTE, 6, "FunctionErrorException"),
        REMOTE_PROVIDER_ERROR(REMOTE, 4, "ProviderException"),
        REMOTE_THROWS_UNTYPED(REMOTE, 2, "ProviderException"),
        REMOTE_HANGS(REMOTE_SLOW, 5, "FaasTimeoutException"),
        REMOTE_RACES_DEADLINE(REMOTE_RACING, 6, "Success", "FaasTimeoutException"),
        NO_ROUTE(UNROUTED, 4, "NoRouteException");

        final long jobId;
        final int weight;
        final Set<String> outcomes;

        Kind(long jobId, int weight, String... outcomes) {
            this.jobId = jobId;
            this.weight = weight;
            this.outcomes = Set.of(outcomes);
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
            case REMOTE_RACES_DEADLINE -> later(RACING_DEADLINE.toNanos() / 1000, f -> f.complete(ok));
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
                .withFaasExecutor(REMOTE_RACING, chaos)
                .policy(REMOTE_RACING, JobPolicy.builder().deadline(RACING_DEADLINE).build())
                .policy(LOCAL_SLOW, shortDeadline)
                .policy(REMOTE_SLOW, shortDeadline)
                .policy(REMOTE, JobPolicy.builder().deadline(LONG_DEADLINE).build());
    }

    private void assertEveryCallHasExactlyItsScriptedResult(List<JobResult> results) {
        Map<String, Long> perCallId = results.stream()
                .collect(Collectors.groupingBy(JobResult::callId, Collectors.counting()));
        assertThat(perCallId.entrySet()).as("call ids with more than one result")
                .filteredOn(e -> e.getValue() > 1).isEmpty();
        assertThat(perCallId.keySet()).as("call ids of the results").isEqualTo(plan.keySet());
        assertThat(results.size()).isEqualTo(plan.size());
        Map<String, Long> byType = new HashMap<>();
        for (JobResult result : results) {
            Kind kind = plan.get(result.callId());
            String type = typeOf(result);
            assertThat(kind.outcomes).as("result of %s (%s)", result.callId(), kind).contains(type);
            assertThat(result.jobId()).isEqualTo(kind.jobId);
            byType.merge(type, 1L, Long::sum);
        }
        // every failure is typed, and the counts per type add up to one result per call
        assertThat(byType.keySet()).containsExactlyInAnyOrder("Success", "FunctionErrorException",
                "FaasTimeoutException", "ThrottledException", "ProviderException", "NoRouteException");
        assertThat(byType.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(plan.size());
        // and where the outcome was certain, each type has exactly as many results as calls were scripted for it
        Map<String, Long> certainPlanned = new HashMap<>();
        Map<String, Long> certainObserved = new HashMap<>();
        plan.values().stream().filter(k -> k.outcomes.size() == 1)
                .forEach(k -> certainPlanned.merge(k.outcomes.iterator().next(), 1L, Long::sum));
        results.stream().filter(r -> plan.get(r.callId()).outcomes.size() == 1)
                .forEach(r -> certainObserved.merge(typeOf(r), 1L, Long::sum));
        assertThat(certainObserved).isEqualTo(certainPlanned);
    }

    private static String typeOf(JobResult result) {
        return result instanceof JobResult.Failure f ? f.error().getClass().getSimpleName() : "Success";
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
            assertThat(listener.finished.size()).isEqualTo(CALLS);
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
            runner = chaosRunner().maxDirectCalls(CALLS).listener(listener).build();
            Map<String, JobResult> results = new ConcurrentHashMap<>();
            ExecutorService callers = Executors.newFixedThreadPool(threads); // the common pool may have 1 thread
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
                }, callers));
            }

            CompletableFuture.allOf(senders.toArray(new CompletableFuture<?>[0]))
                    .get(Await.LIMIT.toSeconds() * 3, TimeUnit.SECONDS);
            callers.shutdown();

            assertEveryCallHasExactlyItsScriptedResult(new ArrayList<>(results.values()));
            assertThat(listener.finished.size()).isEqualTo(CALLS);
        }
    }
}
