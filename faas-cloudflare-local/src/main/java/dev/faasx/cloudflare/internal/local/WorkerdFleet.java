package dev.faasx.cloudflare.internal.local;

import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.cloudflare.LocalWorker;
import dev.faasx.cloudflare.WorkerBinding;
import dev.faasx.cloudflare.WorkerScript;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProviderException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workerd processes of a {@code LocalWorkersRuntime}: one per script. A redeploy starts the new version first
 * and retires the old one after a short grace, so that calls already on their way to it can finish.
 */
public final class WorkerdFleet implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerdFleet.class);
    private static final String PROVIDER = "workerd-local";
    private static final Duration RETIRE_GRACE = Duration.ofMillis(500);
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private record Running(LocalWorker worker, WorkerdProcess process, Path dir) {
    }

    private final Path binary;
    private final Path root;
    private final boolean ownsRoot;
    private final int collectorPort;
    private final Duration startTimeout;
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    private final java.util.Set<Running> retiring = ConcurrentHashMap.newKeySet();
    private final AtomicLong generation = new AtomicLong();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService retirer = Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.named("faasx-workerd-retire"));
    private volatile boolean closed;

    public WorkerdFleet(Path binary, Path root, boolean ownsRoot, int collectorPort, Duration startTimeout) {
        this.binary = binary;
        this.root = root;
        this.ownsRoot = ownsRoot;
        this.collectorPort = collectorPort;
        this.startTimeout = startTimeout;
        // workerd does not end with the JVM that started it: a runtime nobody closed kills its processes at exit.
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    private final Thread exitHook = new Thread(this::killAll, "faasx-workerd-exit");

    private void killAll() {
        retiring.forEach(r -> r.process().kill());
        running.values().forEach(r -> r.process().kill());
    }

    public LocalWorker deploy(WorkerScript script) {
        synchronized (locks.computeIfAbsent(script.name(), k -> new Object())) {
            if (closed) {
                throw new IllegalStateException("the local Workers runtime is closed");
            }
            if (usesStorage(script)) {
                // Its storage (SQLite files of Durable Objects, KV and D1) may be open in one process at a time: the
                // version before stops first, so a redeploy of such a Worker is briefly unavailable.
                Running previous = running.remove(script.name());
                if (previous != null) {
                    retire(previous);
                }
            }
            Path dir = root.resolve(script.name() + "-" + generation.incrementAndGet());
            String socket = "faasx" + HexFormat.of().formatHex(nextBytes());
            WorkerdProcess process;
            try {
                Path config = WorkerdConfig.write(dir, script, socket, collectorPort, root.resolve("storage"));
                process = WorkerdProcess.start(binary, config, socket, startTimeout);
            } catch (WorkerdProcess.StartFailure e) {
                deleteQuietly(dir);
                ErrorContext ctx = ErrorContext.builder(PROVIDER).functionId(script.name()).build();
                if (e.exited()) {
                    throw new InvalidRequestException(e.getMessage(), ctx);
                }
                throw new ProviderException(e.getMessage(), true, false, ctx);
            } catch (IOException e) {
                deleteQuietly(dir);
                throw new ProviderException("cannot start workerd for " + script.name() + ": " + e.getMessage(),
                        true, false, ErrorContext.builder(PROVIDER).functionId(script.name()).build(), e);
            }
            LocalWorker worker = new LocalWorker(script, URI.create("http://127.0.0.1:" + process.port() + "/"),
                    process.startup(), Instant.now());
            Running previous = running.put(script.name(), new Running(worker, process, dir));
            if (previous != null) {
                retireLater(previous);
            }
            LOG.debug("worker {} listens on {} (started in {} ms)", script.name(), worker.url(),
                    process.startup().toMillis());
            return worker;
        }
    }

    private static boolean usesStorage(WorkerScript script) {
        return script.bindings().stream().anyMatch(b -> b instanceof WorkerBinding.KvNamespace
                || b instanceof WorkerBinding.D1Database || b instanceof WorkerBinding.DurableObjectNamespace);
    }

    public Optional<LocalWorker> worker(String name) {
        Running r = running.get(name);
        return r == null ? Optional.empty() : Optional.of(r.worker());
    }

    public List<LocalWorker> workers() {
        return running.values().stream().map(Running::worker).sorted(Comparator.comparing(LocalWorker::name))
                .toList();
    }

    public boolean remove(String name) {
        synchronized (locks.computeIfAbsent(name, k -> new Object())) {
            Running r = running.remove(name);
            if (r == null) {
                return false;
            }
            retire(r);
            return true;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting: the hook does the work
        }
        retirer.shutdownNow();
        for (Running r : List.copyOf(retiring)) {
            retire(r);
        }
        for (String name : List.copyOf(running.keySet())) {
            Running r = running.remove(name);
            if (r != null) {
                retire(r);
            }
        }
        if (ownsRoot) {
            deleteQuietly(root);
        }
    }

    private byte[] nextBytes() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return b;
    }

    private void retireLater(Running r) {
        retiring.add(r);
        try {
            retirer.schedule(() -> retire(r), RETIRE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            retire(r);
        }
    }

    private void retire(Running r) {
        retiring.remove(r);
        r.process().stop(STOP_GRACE);
        deleteQuietly(r.dir());
    }

    private static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", dir, e.getMessage());
        }
    }
}
