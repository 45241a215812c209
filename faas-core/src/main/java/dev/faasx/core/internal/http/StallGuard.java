package dev.faasx.core.internal.http;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds whole exchanges, body included. The JDK client's request timeout ends when the answer's headers arrive,
 * so a peer that sends headers and then stalls (or dies without closing) would hold a call forever. Each exchange
 * is registered with a deadline, and a sweep once a second fails the expired ones with a
 * {@link TimeoutException} and aborts them.
 *
 * <p>A timer per call would cost a scheduling round trip per invocation; registering costs a map entry, and the
 * sweep (on the JDK's shared delay scheduler) only runs while exchanges are in flight. Expiry is therefore
 * detected within about a second of the deadline, which only matters for the rare stalled body: waits for the
 * headers stay bounded precisely by the request timeout. Thread-safe.
 */
public final class StallGuard {
    private static final long SWEEP_MILLIS = 1000;

    private final Map<CompletableFuture<?>, Watched> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean sweepScheduled = new AtomicBoolean();

    private record Watched(CompletableFuture<?> exchange, long deadlineNanos) {
    }

    /**
     * Fails {@code call} with a {@link TimeoutException} and cancels {@code exchange} (the JDK client's own future,
     * whose cancellation aborts the request) if {@code call} is still incomplete {@code millis} from now.
     */
    public void watch(CompletableFuture<?> call, CompletableFuture<?> exchange, long millis) {
        inFlight.put(call, new Watched(exchange, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis)));
        call.whenComplete((r, e) -> inFlight.remove(call));
        if (sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }

    private void scheduleSweep() {
        CompletableFuture.delayedExecutor(SWEEP_MILLIS, TimeUnit.MILLISECONDS).execute(this::sweep);
    }

    private void sweep() {
        long now = System.nanoTime();
        inFlight.forEach((call, watched) -> {
            if (now - watched.deadlineNanos() > 0
                    && call.completeExceptionally(new TimeoutException("no complete answer in time"))) {
                watched.exchange().cancel(true);
            }
        });
        // Clear the flag before looking: a watch() that adds an entry after the look schedules the next sweep.
        sweepScheduled.set(false);
        if (!inFlight.isEmpty() && sweepScheduled.compareAndSet(false, true)) {
            scheduleSweep();
        }
    }
}
