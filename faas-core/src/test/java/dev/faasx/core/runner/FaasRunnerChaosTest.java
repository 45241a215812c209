package dev.faasx.core.runner;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.CallCancelledException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.RunnerListener;
import dev.faasx.core.ThrottledException;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos, seeded and reproducible in what each call does (set {@code -Dfaasx.chaos.seed=N} to replay a seed): every job
 * has a policy (retries, circuit breaker, time limiter, fallback, bulkhead, deadlines); the executor answers, fails
 * typed and untyped, throws, returns no future, answers late or never; callers cancel and time out some futures;
 * a producer streams calls while four threads call directly; and a shutdown lands mid-stream.
 *
 * <p>Whatever the interleaving, every call that the runner took gets exactly one result, carrying its own call id,
 * body and metadata; the caller's future and the listeners see that same result; listener events pair up; and
 * after termination none of the runner's threads is left.
 */
@Timeout(180)
class FaasRunnerChaosTest {
    private static final long SEED = Long.getLong("faasx.chaos.seed", 20261203L);
    private static final int PRODUCER_CALLS = 6_000;
    private static final int DIRECT_THREADS = 4;
    private static final int DIRECT_CALLS_EACH = 1_500;
    private static final String NAME = "chaos-runner";

    private enum Behaviour { OK, OK_LATE, THROTTLED, FUNCTION_ERROR, UNTYPED_FUTURE, THROWS, NULL_FUTURE, HANGS }

    private final ScheduledExecutorService platformTimer = Executors.newScheduledThreadPool(2);
    private FaasRunner runner;

    @AfterEach
    void stop() throws InterruptedException {
        Await.stopped(runner);
        platformTimer.shutdownNow();
    }

    /** The behaviour of one call: a function of the seed and the call id only, so a seed replays the same script. */
    private static Behaviour behaviourOf(String callId) {
        Random r = new Random(SEED ^ callId.hashCode());
        int roll = r.nextInt(100);
        if (roll < 45) {
            return Behaviour.OK;
        } else if (roll < 60) {
            return Behaviour.OK_LATE;
        } else if (roll < 72) {
            return Behaviour.THROTTLED;
        } else if (roll < 80) {
            return Behaviour.FUNCTION_ERROR;
        } else if (roll < 86) {
            return Behaviour.UNTYPED_FUTURE;
        } else if (roll < 91) {
            return Behaviour.THROWS;
        } else if (roll < 94) {
            return Behaviour.NULL_FUTURE;
        }
        return Behaviour.HANGS;
    }

    /** The platform: answers each call as its script says (retries of a call behave like its first attempt). */
    private final class ChaosPlatform implements FaasExecutor {
        final AtomicInteger invocations = new AtomicInteger();

        @Override
        public String providerName() {
            return "chaos";
        }

        @Override
        public Set<dev.faasx.core.PackageKind> supportedPackageKinds() {
            return Set.of(dev.faasx.core.PackageKind.NATIVE_BOOTSTRAP);
        }

        @Override
        public CompletableFuture<Invocation> invokeWithMetrics(JobCall call) {
            invocations.incrementAndGet();
            ErrorContext ctx = ErrorContext.of("chaos", call.jobId());
            switch (behaviourOf(call.callId())) {
                case OK:
                    return CompletableFuture.completedFuture(echo(call));
                case OK_LATE: {
                    CompletableFuture<Invocation> f = new CompletableFuture<>();
                    platformTimer.schedule(() -> f.complete(echo(call)), 1 + Math.floorMod(call.callId().hashCode(),
                            40), TimeUnit.MILLISECONDS);
                    return f;
                }
                case THROTTLED:
                    return CompletableFuture.failedFuture(new ThrottledException("busy", ctx));
                case FUNCTION_ERROR:
                    return CompletableFuture.failedFuture(new FunctionErrorException("job failed", "E", ctx, null));
                case UNTYPED_FUTURE:
                    return CompletableFuture.failedFuture(new IllegalStateException("executor bug"));
                case THROWS:
                    throw new IllegalArgumentException("executor threw");
                case NULL_FUTURE:
                    return null;
                default:
                    return new CompletableFuture<>(); // never answers: only a deadline, limiter or cancel ends it
            }
        }

        private Invocation echo(JobCall call) {
            Map<String, String> metadata = new HashMap<>(call.metadata());
            metadata.put("ran-on", "remote");
            return new Invocation(JobOutput.of(("remote:" + new String(call.body(), UTF_8)).getBytes(UTF_8),
                    metadata), ScriptedExecutor.METRICS);
        }

        @Override
        public CompletableFuture<dev.faasx.core.FaasDeployment> deploy(long jobId,
                dev.faasx.core.FunctionPackage functionPackage, dev.faasx.core.FaasConfig config) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<dev.faasx.core.FaasHealth> healthCheck(long jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> warm(long jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<dev.faasx.core.FaasDeployment> getDeployment(long jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<Void> undeploy(long jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    private static final JobHandler LOCAL = call -> {
        Map<String, String> metadata = new HashMap<>(call.metadata());
        metadata.put("ran-on", "local");
        if (behaviourOf(call.callId()) == Behaviour.FUNCTION_ERROR && call.jobId() == 1) {
            throw new IllegalStateException("local handler failed");
        }
        return JobOutput.of(("local:" + new String(call.body(), UTF_8)).getBytes(UTF_8), metadata);
    };

    /** Counts listener events per call id, so that pairs can be checked. */
    private static final class PairingListener implements RunnerListener {
        final Map<String, AtomicInteger> started = new ConcurrentHashMap<>();
        final Map<String, List<JobResult>> finished = new ConcurrentHashMap<>();
        final List<String> outOfOrder = new CopyOnWriteArrayList<>();

        @Override
        public void callStarted(JobCall call) {
            started.computeIfAbsent(call.callId(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void callRetrying(JobCall call, int attempt, FaasException cause) {
            if (!started.containsKey(call.callId()) || finished.containsKey(call.callId())) {
                outOfOrder.add("retrying " + call.callId());
            }
        }

        @Override
        public void callSucceeded(JobCall call, JobResult.Success result) {
            finish(call, result);
        }

        @Override
        public void callFailed(JobCall call, JobResult.Failure result) {
            finish(call, result);
        }

        private void finish(JobCall call, JobResult result) {
            if (!started.containsKey(call.callId())) {
                outOfOrder.add("finished before started " + call.callId());
            }
            finished.computeIfAbsent(call.callId(), k -> new CopyOnWriteArrayList<>()).add(result);
        }
    }

    private static JobCall callOf(long jobId, String callId) {
        return JobCall.builder(jobId).callId(callId).body(callId.getBytes(UTF_8)).metadata(Map.of("call", callId))
                .build();
    }

    @Test
    void everyCallEndsInExactlyOneMatchingResultWhateverHappens() throws Exception {
        System.out.println("chaos seed " + SEED + " (replay with -Dfaasx.chaos.seed=" + SEED + ")");
        Random rnd = new Random(SEED);
        ChaosPlatform platform = new ChaosPlatform();
        PairingListener listener = new PairingListener();
        RecordingConsumer consumer = new RecordingConsumer();
        JobPolicy retryFallback = JobPolicy.builder().idempotent(true).fallbackToLocal(true)
                .deadline(Duration.ofSeconds(2))
                .retry(RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(1)).build()).build();
        JobPolicy breakerLimiter = JobPolicy.builder().deadline(Duration.ofSeconds(2))
                .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(20).minimumNumberOfCalls(20)
                        .failureRateThreshold(60).waitDurationInOpenState(Duration.ofMillis(20)).build())
                .timeLimiter(TimeLimiterConfig.custom().timeoutDuration(Duration.ofMillis(60)).build()).build();
        JobPolicy bulkheadDeadline = JobPolicy.builder().deadline(Duration.ofMillis(150))
                .bulkhead(BulkheadConfig.custom().maxConcurrentCalls(6).maxWaitDuration(Duration.ZERO).build())
                .retry(RetryConfig.custom().maxAttempts(2).waitDuration(Duration.ofMillis(2)).build()).build();
        JobPolicy shortDeadline = JobPolicy.builder().deadline(Duration.ofMillis(40)).build();
        runner = FaasRunner.builder().name(NAME)
                .router(JobRouter.builder().route(1, LOCAL).route(2, LOCAL).build())
                .withFaasExecutor(2, platform).withFaasExecutor(3, platform).withFaasExecutor(4, platform)
                .withFaasExecutor(5, platform)
                .policy(2, retryFallback).policy(3, breakerLimiter).policy(4, bulkheadDeadline)
                .policy(5, shortDeadline)
                .maxInFlight(128).maxDirectCalls(DIRECT_THREADS * DIRECT_CALLS_EACH)
                .shutdownGrace(Duration.ofMillis(300))
                .listener(listener).producer(recording(PRODUCER_CALLS, rnd.nextLong())).consumer(consumer).build();

        runner.start();
        ExecutorService callers = Executors.newFixedThreadPool(DIRECT_THREADS);
        List<CompletableFuture<List<Direct>>> senders = new ArrayList<>();
        for (int t = 0; t < DIRECT_THREADS; t++) {
            long threadSeed = rnd.nextLong();
            int thread = t;
            senders.add(CompletableFuture.supplyAsync(() -> sendDirect(thread, threadSeed), callers));
        }
        // the shutdown lands mid-stream: after some results, while producer and callers are still busy
        Await.until("some results are in", () -> consumer.results().size() > PRODUCER_CALLS / 3);
        runner.shutdown(Duration.ofMillis(300));
        List<Direct> direct = new ArrayList<>();
        for (CompletableFuture<List<Direct>> s : senders) {
            direct.addAll(s.get(60, TimeUnit.SECONDS));
        }
        callers.shutdown();
        assertThat(runner.awaitTermination(Duration.ofSeconds(60))).as("the runner terminates").isTrue();

        // every call the producer handed over has exactly one result, with its own id, body and metadata
        Map<String, JobResult> consumed = new HashMap<>();
        for (JobResult r : consumer.results()) {
            assertThat(consumed.put(r.callId(), r)).as("second consumer result for %s", r.callId()).isNull();
            assertMatchesItsCall(r);
        }
        assertThat(consumed.keySet()).isEqualTo(Set.copyOf(handedOver));

        // every direct future ends in the one result the listeners saw (or was cancelled by its caller)
        for (Direct d : direct) {
            List<JobResult> seen = listener.finished.getOrDefault(d.callId, List.of());
            assertThat(seen).as("listener results of %s", d.callId).hasSize(1);
            JobResult only = seen.get(0);
            assertMatchesItsCall(only);
            if (d.cancelled) {
                assertThat(d.future.isCancelled() || d.future.isDone()).isTrue();
                if (d.future.isCancelled()) {
                    assertThat(((JobResult.Failure) only).error()).isInstanceOf(CallCancelledException.class);
                }
            }
            if (!d.future.isCancelled()) {
                JobResult fromFuture = d.future.get(10, TimeUnit.SECONDS);
                assertThat(fromFuture).isSameAs(only);
                if (d.timedOut && fromFuture instanceof JobResult.Failure f
                        && f.error() instanceof FaasTimeoutException t) {
                    assertThat(t.getMessage()).satisfiesAnyOf(
                            m -> assertThat(m).contains("caller's own timeout"),
                            m -> assertThat(m).contains("deadline"));
                }
            }
        }

        // listener events pair up: one start and one end per call, never out of order
        assertThat(listener.outOfOrder).isEmpty();
        assertThat(listener.started.values()).allSatisfy(n -> assertThat(n).hasValue(1));
        assertThat(listener.finished.keySet()).isEqualTo(listener.started.keySet());
        assertThat(listener.finished.values()).allSatisfy(l -> assertThat(l).hasSize(1));
        assertThat(listener.finished.size()).isEqualTo(consumed.size() + direct.size());
        assertThat(platform.invocations.get()).isPositive();

        // and nothing of the runner is left running
        Await.until("the runner's threads have ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(NAME) && t.isAlive()));
    }

    private final List<String> handedOver = new CopyOnWriteArrayList<>();

    private JobProducer recording(int calls, long seed) {
        Random r = new Random(seed);
        AtomicInteger n = new AtomicInteger();
        return () -> {
            int i = n.getAndIncrement();
            if (i >= calls) {
                return Optional.empty();
            }
            JobCall call = callOf(1 + r.nextInt(5), "p-" + i);
            handedOver.add(call.callId());
            return Optional.of(call);
        };
    }

    private record Direct(String callId, CompletableFuture<JobResult> future, boolean cancelled, boolean timedOut) {
    }

    private List<Direct> sendDirect(int thread, long seed) {
        Random r = new Random(seed);
        List<Direct> sent = new ArrayList<>();
        for (int i = 0; i < DIRECT_CALLS_EACH; i++) {
            JobCall call = callOf(1 + r.nextInt(5), "d" + thread + "-" + i);
            CompletableFuture<JobResult> f = runner.call(call);
            int roll = r.nextInt(100);
            boolean cancel = roll < 5;
            boolean timeout = roll >= 5 && roll < 10;
            if (cancel) {
                f.cancel(true);
            } else if (timeout) {
                f = f.orTimeout(1 + r.nextInt(30), TimeUnit.MILLISECONDS);
            }
            sent.add(new Direct(call.callId(), f, cancel, timeout));
        }
        return sent;
    }

    private static void assertMatchesItsCall(JobResult r) {
        if (r instanceof JobResult.Success s) {
            String body = new String(s.body(), UTF_8);
            assertThat(body).as("body of %s", r.callId()).isIn("remote:" + r.callId(), "local:" + r.callId());
            assertThat(s.metadata()).as("metadata of %s", r.callId()).containsEntry("call", r.callId());
        } else {
            assertThat(((JobResult.Failure) r).error()).as("error of %s", r.callId()).isNotNull();
        }
        assertThat(r.elapsed().isKnown()).isTrue();
    }
}
