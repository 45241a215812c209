package dev.faasx.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The limits a {@link ReferenceServer} enforces. Every figure has a default suited to a development machine; the
 * package limits default to the spec's (50 MiB compressed, 250 MiB uncompressed).
 *
 * <pre>{@code
 * ServerLimits limits = ServerLimits.builder()
 *     .queueTimeout(Duration.ofMillis(200))
 *     .prespawnedProcesses(4)
 *     .maxProcessesPerInstance(256)
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxPackageBytes      largest accepted zip upload; larger answers 413
 * @param maxUncompressedBytes most bytes a package may expand to, counted while extracting; more answers 413
 * @param maxPackageEntries    most entries (files and directories) a package may hold
 * @param maxRequestBytes      largest accepted invoke request body; larger answers 413
 * @param maxOutputBytes       most bytes a function may write as its answer; more fails the invocation
 * @param stderrTailBytes      how much of a process's stderr is kept (its end) for error messages
 * @param queueTimeout         how long an invocation waits for a free slot when its function is at
 *                             {@code max_concurrency} (or all persistent workers are busy) before it is refused
 *                             with 503 {@code OVERLOADED}
 * @param prespawnedProcesses  processes per process-mode function kept started and waiting for a request besides
 *                             {@code keep_warm}; 0 by default, so that a function with {@code keep_warm: 0} keeps no
 *                             process waiting once the instance its deployment started is used
 * @param maxWorkersPerFunction most persistent workers one function may run (never more than its
 *                             {@code max_concurrency})
 * @param workerStartTimeout   how long a persistent worker may take to print its ready line
 * @param healthProbeWindow    how long a health check watches a freshly started process for a crash
 * @param maxInFlight          most requests the server works on at once; more are refused with 503
 * @param maxProcessesPerInstance most processes and threads one function instance may run at once (a cgroup's
 *                             {@code pids.max}, else {@code RLIMIT_NPROC}); a fork bomb stops there
 * @param tmpBytes             the size of each sandboxed instance's private {@code /tmp}
 * @param maxKeepWarm          the most {@code keep_warm} instances the server keeps for one function; a larger
 *                             {@code keep_warm} is capped
 * @param maxConcurrency       the most concurrent invocations the server admits for one function; a larger
 *                             {@code max_concurrency} is capped
 * @param maxIdleInstances     the most started, idle instances the server keeps across all functions; past it,
 *                             instances are not kept waiting
 * @param requestBodyTimeout   how long a client may take to send a request body (an upload or an invocation)
 *                             before the request is answered 408 and its partial upload deleted
 * @param idleTimeout          how long a connection may stay idle (no request, or a stalled read) before it is
 *                             closed
 */
public record ServerLimits(long maxPackageBytes, long maxUncompressedBytes, int maxPackageEntries,
                           long maxRequestBytes, long maxOutputBytes, int stderrTailBytes, Duration queueTimeout,
                           int prespawnedProcesses, int maxWorkersPerFunction, Duration workerStartTimeout,
                           Duration healthProbeWindow, int maxInFlight, int maxProcessesPerInstance,
                           long tmpBytes, int maxKeepWarm, int maxConcurrency, int maxIdleInstances,
                           Duration requestBodyTimeout, Duration idleTimeout) {

    private static final long MIB = 1024 * 1024;
    private static final ServerLimits DEFAULTS = builder().build();

    public ServerLimits {
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        Objects.requireNonNull(workerStartTimeout, "workerStartTimeout");
        Objects.requireNonNull(healthProbeWindow, "healthProbeWindow");
        Objects.requireNonNull(requestBodyTimeout, "requestBodyTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        List<String> problems = new ArrayList<>();
        positive(problems, "maxPackageBytes", maxPackageBytes);
        positive(problems, "maxUncompressedBytes", maxUncompressedBytes);
        positive(problems, "maxPackageEntries", maxPackageEntries);
        positive(problems, "maxRequestBytes", maxRequestBytes);
        positive(problems, "maxOutputBytes", maxOutputBytes);
        positive(problems, "stderrTailBytes", stderrTailBytes);
        positive(problems, "maxWorkersPerFunction", maxWorkersPerFunction);
        positive(problems, "maxInFlight", maxInFlight);
        positive(problems, "maxProcessesPerInstance", maxProcessesPerInstance);
        positive(problems, "tmpBytes", tmpBytes);
        positive(problems, "maxConcurrency", maxConcurrency);
        if (maxKeepWarm < 0 || maxIdleInstances < 0) {
            problems.add("maxKeepWarm and maxIdleInstances must not be negative");
        }
        for (Duration d : List.of(requestBodyTimeout, idleTimeout)) {
            if (d.isNegative() || d.isZero()) {
                problems.add("requestBodyTimeout and idleTimeout must be positive, was " + d);
            }
        }
        if (prespawnedProcesses < 0) {
            problems.add("prespawnedProcesses must not be negative, was " + prespawnedProcesses);
        }
        if (maxRequestBytes > Integer.MAX_VALUE - 8 || maxOutputBytes > Integer.MAX_VALUE - 8) {
            problems.add("maxRequestBytes and maxOutputBytes must be below 2 GiB");
        }
        for (Duration d : List.of(queueTimeout, workerStartTimeout, healthProbeWindow)) {
            if (d.isNegative()) {
                problems.add("durations must not be negative, was " + d);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid server limits: " + String.join("; ", problems));
        }
    }

    /**
     * 50 MiB packages expanding to at most 250 MiB in at most 10,000 entries; 16 MiB request and answer bodies;
     * 8 KiB of stderr kept; a 1 s queue; no pre-spawned processes beyond {@code keep_warm}; at most 8 persistent
     * workers per function, each given 30 s to start; a 200 ms health probe; 1,024 requests in flight; 512 processes
     * and a 64 MiB {@code /tmp} per instance; {@code keep_warm} capped at 8 and {@code max_concurrency} at 100 per
     * function; 64 idle instances in all; 30 s to send a request body; connections idle for 60 s closed.
     */
    public static ServerLimits defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().maxPackageBytes(maxPackageBytes).maxUncompressedBytes(maxUncompressedBytes)
                .maxPackageEntries(maxPackageEntries).maxRequestBytes(maxRequestBytes).maxOutputBytes(maxOutputBytes)
                .stderrTailBytes(stderrTailBytes).queueTimeout(queueTimeout).prespawnedProcesses(prespawnedProcesses)
                .maxWorkersPerFunction(maxWorkersPerFunction).workerStartTimeout(workerStartTimeout)
                .healthProbeWindow(healthProbeWindow).maxInFlight(maxInFlight)
                .maxProcessesPerInstance(maxProcessesPerInstance).tmpBytes(tmpBytes).maxKeepWarm(maxKeepWarm)
                .maxConcurrency(maxConcurrency).maxIdleInstances(maxIdleInstances)
                .requestBodyTimeout(requestBodyTimeout).idleTimeout(idleTimeout);
    }

    private static void positive(List<String> problems, String name, long value) {
        if (value <= 0) {
            problems.add(name + " must be positive, was " + value);
        }
    }

    /** Builds {@link ServerLimits}, starting from the defaults. Not thread-safe. */
    public static final class Builder {
        private long maxPackageBytes = 50 * MIB;
        private long maxUncompressedBytes = 250 * MIB;
        private int maxPackageEntries = 10_000;
        private long maxRequestBytes = 16 * MIB;
        private long maxOutputBytes = 16 * MIB;
        private int stderrTailBytes = 8 * 1024;
        private Duration queueTimeout = Duration.ofSeconds(1);
        private int prespawnedProcesses = 0;
        private int maxWorkersPerFunction = 8;
        private Duration workerStartTimeout = Duration.ofSeconds(30);
        private Duration healthProbeWindow = Duration.ofMillis(200);
        private int maxInFlight = 1024;
        private int maxProcessesPerInstance = 512;
        private long tmpBytes = 64 * MIB;
        private int maxKeepWarm = 8;
        private int maxConcurrency = 100;
        private int maxIdleInstances = 64;
        private Duration requestBodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder maxPackageBytes(long value) {
            this.maxPackageBytes = value;
            return this;
        }

        public Builder maxUncompressedBytes(long value) {
            this.maxUncompressedBytes = value;
            return this;
        }

        public Builder maxPackageEntries(int value) {
            this.maxPackageEntries = value;
            return this;
        }

        public Builder maxRequestBytes(long value) {
            this.maxRequestBytes = value;
            return this;
        }

        public Builder maxOutputBytes(long value) {
            this.maxOutputBytes = value;
            return this;
        }

        public Builder stderrTailBytes(int value) {
            this.stderrTailBytes = value;
            return this;
        }

        public Builder queueTimeout(Duration value) {
            this.queueTimeout = value;
            return this;
        }

        public Builder prespawnedProcesses(int value) {
            this.prespawnedProcesses = value;
            return this;
        }

        public Builder maxWorkersPerFunction(int value) {
            this.maxWorkersPerFunction = value;
            return this;
        }

        public Builder workerStartTimeout(Duration value) {
            this.workerStartTimeout = value;
            return this;
        }

        public Builder healthProbeWindow(Duration value) {
            this.healthProbeWindow = value;
            return this;
        }

        public Builder maxInFlight(int value) {
            this.maxInFlight = value;
            return this;
        }

        public Builder maxProcessesPerInstance(int value) {
            this.maxProcessesPerInstance = value;
            return this;
        }

        public Builder tmpBytes(long value) {
            this.tmpBytes = value;
            return this;
        }

        public Builder maxKeepWarm(int value) {
            this.maxKeepWarm = value;
            return this;
        }

        public Builder maxConcurrency(int value) {
            this.maxConcurrency = value;
            return this;
        }

        public Builder maxIdleInstances(int value) {
            this.maxIdleInstances = value;
            return this;
        }

        public Builder requestBodyTimeout(Duration value) {
            this.requestBodyTimeout = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /** @throws IllegalArgumentException listing every invalid setting */
        public ServerLimits build() {
            return new ServerLimits(maxPackageBytes, maxUncompressedBytes, maxPackageEntries, maxRequestBytes,
                    maxOutputBytes, stderrTailBytes, queueTimeout, prespawnedProcesses, maxWorkersPerFunction,
                    workerStartTimeout, healthProbeWindow, maxInFlight, maxProcessesPerInstance, tmpBytes,
                    maxKeepWarm, maxConcurrency, maxIdleInstances, requestBodyTimeout, idleTimeout);
        }
    }
}
