package dev.faasx.server.internal.exec;

import dev.faasx.server.internal.store.StoredFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent-worker execution model: long-lived worker processes, each answering one request at a time. A call
 * takes an idle worker (warm), or starts a new one when fewer than the cap are running (cold: the call waits for the
 * ready line, and the start time is its init duration), or waits for a worker to become free until the queue
 * deadline. The most recently used worker is reused first, so a light load stays on few, hot processes.
 *
 * <p>Thread-safe.
 */
public final class WorkerPool implements InstancePool {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long STOP_GRACE_MILLIS = 2000;

    private final StoredFunction function;
    private final ExecServices services;
    private final int cap;
    private final long timeoutNanos;
    private final LinkedBlockingDeque<PersistentWorker> idle = new LinkedBlockingDeque<>();
    private final Set<PersistentWorker> busy = ConcurrentHashMap.newKeySet();
    private final AtomicInteger live = new AtomicInteger();
    private volatile int keepWarm;
    private volatile boolean closed;
    private volatile boolean aborted;
    private volatile String startFailure;

    public WorkerPool(StoredFunction function, ExecServices services, int cap, int keepWarm) {
        this.function = function;
        this.services = services;
        this.cap = cap;
        this.timeoutNanos = function.config().timeout().toNanos();
        this.keepWarm = Math.min(keepWarm, cap);
    }

    /** Starts the {@code keep_warm} workers in the background. */
    public void start() {
        refill();
    }

    @Override
    public Execution execute(byte[] request, long queueDeadline) {
        PersistentWorker worker = takeUsable(idle.pollFirst());
        boolean cold = false;
        while (worker == null) {
            if (reserve()) {
                try {
                    worker = startReserved();
                    cold = true;
                } catch (PersistentWorker.StartException e) {
                    return Execution.failedToStart(e.getMessage(), true);
                }
            } else {
                long remaining = queueDeadline - System.nanoTime();
                if (remaining <= 0 || closed) {
                    throw new NoInstanceException("all " + cap + " workers of function " + function.id()
                            + " are busy");
                }
                worker = takeUsable(pollIdle(Math.min(remaining, WAIT_SLICE_NANOS)));
            }
        }
        busy.add(worker);
        Execution execution;
        try {
            if (aborted) {
                worker.abort(Execution.Outcome.ABORTED);
            }
            execution = worker.call(request, timeoutNanos, services.limits().maxOutputBytes(), services, cold);
        } finally {
            busy.remove(worker);
        }
        release(worker);
        return execution;
    }

    /** {@code worker} when it can take a call; a worker that died while idle is retired instead. */
    private PersistentWorker takeUsable(PersistentWorker worker) {
        if (worker != null && worker.releaseIdlePlace()) {
            services.releaseIdlePlace();
        }
        if (worker != null && !worker.isUsable()) {
            retire(worker);
            return null;
        }
        return worker;
    }

    private PersistentWorker pollIdle(long nanos) {
        try {
            return idle.pollFirst(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NoInstanceException("interrupted while waiting for a worker of function " + function.id());
        }
    }

    private void release(PersistentWorker worker) {
        if (worker.isUsable() && !closed) {
            idle.offerFirst(worker);
            if (closed && idle.remove(worker)) {
                retire(worker);
            }
        } else {
            retire(worker);
            refill();
        }
    }

    private void retire(PersistentWorker worker) {
        if (worker.releaseIdlePlace()) {
            services.releaseIdlePlace();
        }
        live.decrementAndGet();
        worker.stop(services, STOP_GRACE_MILLIS);
    }

    private boolean reserve() {
        int n;
        do {
            n = live.get();
            if (n >= cap || closed) {
                return false;
            }
        } while (!live.compareAndSet(n, n + 1));
        return true;
    }

    /** Starts a worker for a slot already reserved; gives the slot back on failure. */
    private PersistentWorker startReserved() throws PersistentWorker.StartException {
        try {
            PersistentWorker worker = PersistentWorker.start(function, services);
            startFailure = null;
            return worker;
        } catch (PersistentWorker.StartException e) {
            live.decrementAndGet();
            if (!e.getMessage().equals(startFailure)) {
                LOG.warn("{}", e.getMessage());
            }
            startFailure = e.getMessage();
            throw e;
        }
    }

    /** Starts a worker for a slot already reserved and makes it idle. */
    private void startIdleReserved() {
        try {
            offer(startReserved());
        } catch (PersistentWorker.StartException e) {
            // Recorded as the start failure, which health reports; a failed start is not a warm instance.
        }
    }

    /** Starts workers in the background until {@code keep_warm} are running. */
    private void refill() {
        while (!closed && live.get() < keepWarm && reserve()) {
            services.background().execute(this::startIdleReserved);
        }
    }

    private void offer(PersistentWorker worker) {
        idle.offerLast(worker);
        if (closed && idle.remove(worker)) {
            retire(worker);
        }
    }

    @Override
    public int warm(int instances) {
        int wanted = Math.min(instances, cap);
        keepWarm = Math.max(keepWarm, wanted);
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        while (!closed && live.get() < wanted && reserve()) {
            starts.add(CompletableFuture.runAsync(this::startIdleReserved, services.background()));
        }
        starts.forEach(CompletableFuture::join);
        // Workers started earlier in the background (keep_warm) may still be coming up: wait for them too.
        long deadline = System.nanoTime() + services.limits().workerStartTimeout().toNanos();
        try {
            while (ready() < wanted && live.get() > ready() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Math.min(wanted, ready());
    }

    @Override
    public Optional<Duration> startInstance() {
        if (!reserve()) {
            return Optional.empty();
        }
        try {
            PersistentWorker worker = startReserved();
            if (keepWarm > 0) {
                offer(worker);
            } else if (services.holdIdlePlace()) {
                // Kept for the first call, as one of the server's maxIdleInstances waiting instances.
                worker.holdIdlePlace();
                offer(worker);
            } else {
                retire(worker);
            }
            return Optional.of(worker.startDuration());
        } catch (PersistentWorker.StartException e) {
            return Optional.empty();
        }
    }

    private int ready() {
        int count = busy.size();
        for (PersistentWorker worker : idle) {
            if (worker.isUsable()) {
                count++;
            }
        }
        return count;
    }

    @Override
    public Optional<String> probe() {
        if (ready() > 0) {
            return Optional.empty();
        }
        if (!reserve()) {
            return ready() > 0 || live.get() > 0 ? Optional.empty() : Optional.ofNullable(startFailure);
        }
        try {
            offer(startReserved());
            return Optional.empty();
        } catch (PersistentWorker.StartException e) {
            return Optional.of(e.getMessage());
        }
    }

    @Override
    public InstanceCounts counts() {
        return new InstanceCounts(idle.size(), busy.size());
    }

    @Override
    public void abort() {
        closed = true;
        aborted = true;
        busy.forEach(worker -> worker.abort(Execution.Outcome.ABORTED));
        stopIdle();
    }

    @Override
    public void close() {
        closed = true;
        stopIdle();
    }

    private void stopIdle() {
        PersistentWorker worker;
        while ((worker = idle.pollFirst()) != null) {
            retire(worker);
        }
    }
}
