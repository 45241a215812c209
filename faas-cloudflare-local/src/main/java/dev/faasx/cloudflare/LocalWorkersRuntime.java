package dev.faasx.cloudflare;

import dev.faasx.cloudflare.internal.local.AnalyticsCollector;
import dev.faasx.cloudflare.internal.local.WorkerdFleet;
import dev.faasx.cloudflare.internal.local.WorkerdLocator;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.internal.Checks;
import dev.faasx.core.ProviderException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs Workers on {@code workerd}, Cloudflare's open-source Workers runtime, on loopback: the same JavaScript and
 * WebAssembly engine that Cloudflare runs, without an account. Each deployed script gets its own workerd process
 * (one isolate, like one Cloudflare location), listening on a free loopback port; redeploying starts the new version,
 * switches to it once it listens and then stops the old one. Analytics Engine bindings write into this runtime, which
 * keeps the data points for {@link #dataPoints()} (and for {@link LocalCloudflareApi}'s SQL API).
 *
 * <p>The binary comes from {@link Builder#workerdBinary(Path)}, or else {@link #findWorkerd()}: the system property
 * {@code faasx.workerd.path}, the environment variable {@code FAASX_WORKERD}, then the npm package
 * {@code workerd} (pinned to {@link #workerdVersion()}) under a {@code node_modules} directory.
 *
 * <pre>{@code
 * try (LocalWorkersRuntime runtime = LocalWorkersRuntime.builder().build()) {
 *     LocalWorker worker = runtime.deploy(WorkerScript.of("hello", modules));
 *     HttpResponse<String> answer = http.send(HttpRequest.newBuilder(worker.url()).build(), ofString());
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops every workerd process and deletes the runtime's working files.
 */
public final class LocalWorkersRuntime implements AutoCloseable {
    private final AnalyticsCollector collector;
    private final WorkerdFleet fleet;

    private LocalWorkersRuntime(Builder b, Path binary) throws IOException {
        this.collector = new AnalyticsCollector(b.analyticsCapacity);
        boolean ownsDir = b.workDirectory == null;
        Path dir = ownsDir ? Files.createTempDirectory("faasx-workerd-") : b.workDirectory;
        this.fleet = new WorkerdFleet(binary, dir, ownsDir, collector.port(), b.startTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The workerd binary this machine has, if any (see the class description for where it looks). */
    public static Optional<Path> findWorkerd() {
        return WorkerdLocator.find();
    }

    /** The npm version of {@code workerd} that faasx is tested against, for example {@code 1.20261117.1}. */
    public static String workerdVersion() {
        return WorkerdLocator.pinnedVersion();
    }

    /**
     * Installs the pinned workerd with {@code npm install --prefix <prefix> workerd@<version>} (skipped when it is
     * already there) and returns the binary.
     *
     * @throws IOException when npm is not available or the install fails
     */
    public static Path installWorkerd(Path prefix) throws IOException {
        return WorkerdLocator.install(prefix, Duration.ofMinutes(5));
    }

    /**
     * Starts {@code script} (replacing a running version of the same name once the new one listens).
     *
     * @throws InvalidRequestException when workerd refuses the Worker: its code does not load, a module or binding is
     *                                 invalid, or the compatibility date is newer than this workerd; the message is
     *                                 workerd's own
     * @throws ProviderException       when workerd cannot be started or does not listen in time
     */
    public LocalWorker deploy(WorkerScript script) {
        return fleet.deploy(Objects.requireNonNull(script, "script"));
    }

    /** The running version of the script called {@code name}. */
    public Optional<LocalWorker> worker(String name) {
        return fleet.worker(name);
    }

    /** Every running Worker. */
    public List<LocalWorker> workers() {
        return fleet.workers();
    }

    /** Stops and forgets the script called {@code name}; {@code false} when there was none. */
    public boolean remove(String name) {
        return fleet.remove(name);
    }

    /** The Analytics Engine data points written so far (the newest, up to the configured capacity), oldest first. */
    public List<AnalyticsDataPoint> dataPoints() {
        return collector.snapshot();
    }

    /** Calls {@code listener} for each data point as it arrives, on a collector thread. */
    public void onDataPoint(Consumer<AnalyticsDataPoint> listener) {
        collector.addListener(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        fleet.close();
        collector.close();
    }

    /** Configures a {@link LocalWorkersRuntime}. Not thread-safe. */
    public static final class Builder {
        private Path workerdBinary;
        private Path workDirectory;
        private Duration startTimeout = Duration.ofSeconds(30);
        private int analyticsCapacity = 100_000;

        private Builder() {
        }

        /** The workerd binary; by default {@link #findWorkerd()}. */
        public Builder workerdBinary(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("workerdBinary must not be null");
            }
            this.workerdBinary = value;
            return this;
        }

        /** Where configs and modules are written; by default a temporary directory deleted on close. */
        public Builder workDirectory(Path value) {
            if (value == null) {
                throw new IllegalArgumentException("workDirectory must not be null");
            }
            this.workDirectory = value;
            return this;
        }

        /** How long a workerd process may take to listen (default 30 s). */
        public Builder startTimeout(Duration value) {
            this.startTimeout = Checks.positive(value, "startTimeout");
            return this;
        }

        /** How many Analytics Engine data points to keep (default 100 000); older ones are dropped. */
        public Builder analyticsCapacity(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("analyticsCapacity must be at least 1, was " + value);
            }
            this.analyticsCapacity = value;
            return this;
        }

        /**
         * Starts the runtime (workerd processes start per deployed script).
         *
         * @throws IllegalStateException when no workerd binary is configured or found
         * @throws UncheckedIOException  when the working directory or the collector cannot be set up
         */
        public LocalWorkersRuntime build() {
            Path binary = workerdBinary != null ? workerdBinary : findWorkerd().orElseThrow(() ->
                    new IllegalStateException("workerd was not found: install it with 'npm install workerd@"
                            + workerdVersion() + "' or set " + WorkerdLocator.PATH_ENV
                            + " (or -D" + WorkerdLocator.PATH_PROPERTY + ") to the binary"));
            if (!Files.isExecutable(binary)) {
                throw new IllegalStateException("workerd binary " + binary + " is not an executable file");
            }
            try {
                // workerd runs in each Worker's own directory: a relative path would no longer resolve there.
                return new LocalWorkersRuntime(this, binary.toAbsolutePath().normalize());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local Workers runtime", e);
            }
        }
    }
}
