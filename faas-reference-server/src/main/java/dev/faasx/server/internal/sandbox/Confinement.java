package dev.faasx.server.internal.sandbox;

import dev.faasx.server.Isolation;
import dev.faasx.server.ServerLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this server confines function instances: the isolation in force (a bubblewrap sandbox or none) and how
 * limits are enforced (a cgroup per instance where the server can create cgroups, else resource limits set with
 * {@code prlimit} inside the sandbox, else none). Builds the command line of each instance.
 *
 * <p>An instance is started through a small {@code /bin/sh} step that first moves itself into the instance's cgroup
 * (so that every process the function starts is counted from its first instruction) and then replaces itself with
 * {@code bwrap} (or, without a sandbox, the bootstrap). bwrap reads its arguments from a file of the function version
 * (through {@code --args}), so the sandbox's {@code /proc/1/cmdline} names no host path.
 *
 * <p>Thread-safe.
 */
public final class Confinement implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Confinement.class);
    /** $0: bwrap's option file; then the cgroup files to join, {@code --}, and the command in the sandbox. */
    private static final String JOIN_AND_EXEC_SANDBOX = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; "
            + "shift; done; exec %s --args 3 \"$@\" 3<\"$0\"";
    /** The cgroup files to join, {@code --}, and the command. */
    private static final String JOIN_AND_EXEC = "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; "
            + "shift; done; shift; exec \"$@\"";

    private static final boolean HAS_PRLIMIT = Files.isExecutable(Path.of("/usr/bin/prlimit"));

    private final Isolation isolation;
    private final Optional<Bubblewrap> sandbox;
    private final Optional<Cgroups> cgroups;
    private final Optional<String> fallbackReason;
    private final ServerLimits limits;
    private final Path runDirectory;
    private final AtomicLong instances = new AtomicLong();
    private final Map<Path, Path> argumentFiles = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private Confinement(Isolation isolation, Optional<Bubblewrap> sandbox, Optional<Cgroups> cgroups,
                        Optional<String> fallbackReason, ServerLimits limits, Path runDirectory) {
        this.isolation = isolation;
        this.sandbox = sandbox;
        this.cgroups = cgroups;
        this.fallbackReason = fallbackReason;
        this.limits = limits;
        this.runDirectory = runDirectory;
    }

    /**
     * The confinement for a server.
     *
     * @param requested     the isolation asked for, or {@code null} for the best available
     * @param network       whether functions keep the host's network
     * @param readOnlyPaths further host paths sandboxed functions may read
     * @param dataDirectory the server's data directory; names its cgroups and holds the sandbox argument files
     * @throws IllegalStateException when a sandbox was asked for and cannot be made here
     */
    public static Confinement create(Isolation requested, boolean network, List<Path> readOnlyPaths,
                                     ServerLimits limits, Path dataDirectory) throws IOException {
        Optional<Bubblewrap> sandbox = Optional.empty();
        Optional<String> fallback = Optional.empty();
        if (requested != Isolation.NONE) {
            try {
                sandbox = Optional.of(Bubblewrap.probe(network, readOnlyPaths));
            } catch (IllegalStateException e) {
                if (requested == Isolation.SANDBOX) {
                    throw new IllegalStateException("--isolation sandbox was asked for, but " + e.getMessage(), e);
                }
                fallback = Optional.of(e.getMessage());
            }
        }
        Path run = dataDirectory.resolve("run");
        if (Files.exists(run)) {
            try (var files = Files.list(run)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Files.deleteIfExists(file);
                }
            }
        }
        Files.createDirectories(run);
        Optional<Cgroups> cgroups = Cgroups.open("faasx-" + digest(dataDirectory.toRealPath().toString()));
        cgroups.ifPresent(groups -> {
            int cleared = groups.clearLeftovers();
            if (cleared > 0) {
                LOG.warn("ended {} function instance(s) left behind by a previous run of this server", cleared);
            }
        });
        return new Confinement(sandbox.isPresent() ? Isolation.SANDBOX : Isolation.NONE, sandbox, cgroups, fallback,
                limits, run);
    }

    public Isolation isolation() {
        return isolation;
    }

    /** Why the sandbox is off although it was not turned off, when that is the case. */
    public Optional<String> fallbackReason() {
        return fallbackReason;
    }

    /** Whether each instance gets its own cgroup (memory, process count, peak memory, out-of-memory kills). */
    public boolean hasCgroups() {
        return cgroups.isPresent();
    }

    /** The isolation and the limits in force, for the start-up line. */
    public String describe() {
        StringBuilder out = new StringBuilder("isolation ");
        if (sandbox.isPresent()) {
            Bubblewrap bwrap = sandbox.get();
            out.append("sandbox (").append(bwrap.version()).append(", uid ").append(Bubblewrap.SANDBOX_UID)
                    .append(bwrap.privileged() ? " via setpriv" : " in a user namespace")
                    .append(", network ").append(bwrap.network() ? "allowed" : "none").append(')');
        } else {
            out.append("none (functions run as the server's user)");
        }
        out.append("; limits per instance: ");
        if (cgroups.isPresent()) {
            out.append("memory_mb and ").append(limits.maxProcessesPerInstance()).append(" processes by ")
                    .append(cgroups.get().describe());
        } else if (sandbox.isPresent() && HAS_PRLIMIT) {
            out.append("memory_mb as RLIMIT_DATA per process and ").append(limits.maxProcessesPerInstance())
                    .append(" processes as RLIMIT_NPROC (prlimit; no cgroup could be created)");
        } else {
            out.append("memory_mb not enforced (no cgroup could be created)");
        }
        if (sandbox.isPresent()) {
            out.append(", /tmp ").append(limits.tmpBytes() / (1024 * 1024)).append(" MiB");
        }
        return out.toString();
    }

    /** The environment a process of a function version in {@code packageDirectory} must see for its paths. */
    public Map<String, String> pathEnvironment(Path packageDirectory) {
        if (sandbox.isPresent()) {
            return Map.of("HOME", Bubblewrap.PACKAGE_DIR, "TMPDIR", "/tmp");
        }
        return Map.of("HOME", packageDirectory.toString(), "TMPDIR", System.getProperty("java.io.tmpdir"));
    }

    /**
     * Prepares one instance of the function version in {@code packageDirectory}: creates its cgroup (when cgroups
     * are in use) and answers the command that starts it.
     */
    public Launch prepare(String functionId, Path packageDirectory, int memoryMb) throws IOException {
        if (closed) {
            throw new IOException("the server is stopping: no new instance of function " + functionId);
        }
        Optional<Cgroups.Group> group = Optional.empty();
        if (cgroups.isPresent()) {
            group = Optional.of(cgroups.get().create(functionId + "-" + instances.incrementAndGet(),
                    memoryMb * 1024L * 1024L, limits.maxProcessesPerInstance()));
        }
        List<String> command = new ArrayList<>();
        Path bootstrap = packageDirectory.resolve("bootstrap");
        if (sandbox.isPresent()) {
            Path arguments = argumentFile(packageDirectory);
            command.addAll(List.of("/bin/sh", "-c", String.format(JOIN_AND_EXEC_SANDBOX, sandbox.get().program()),
                    arguments.toString()));
            group.ifPresent(g -> g.procsFiles().forEach(file -> command.add(file.toString())));
            Optional<List<String>> rlimits = cgroups.isPresent() || !HAS_PRLIMIT ? Optional.empty()
                    : Optional.of(List.of("--data=" + memoryMb * 1024L * 1024L,
                    "--nproc=" + limits.maxProcessesPerInstance(), "--core=0"));
            command.addAll(sandbox.get().command(rlimits, List.of(Bubblewrap.PACKAGE_DIR + "/bootstrap")));
        } else if (group.isPresent()) {
            command.addAll(List.of("/bin/sh", "-c", JOIN_AND_EXEC, "faasx-instance"));
            group.get().procsFiles().forEach(file -> command.add(file.toString()));
            command.addAll(List.of("--", bootstrap.toString()));
        } else {
            command.add(bootstrap.toString());
        }
        return new Launch(command, group);
    }

    /** Forgets what was prepared for a function version that is no longer served. */
    public void release(Path packageDirectory) {
        Path file = argumentFiles.remove(packageDirectory);
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.debug("cannot delete {}: {}", file, e.getMessage());
            }
        }
    }

    private Path argumentFile(Path packageDirectory) throws IOException {
        Path existing = argumentFiles.get(packageDirectory);
        if (existing != null) {
            return existing;
        }
        List<String> args = sandbox.orElseThrow().options(packageDirectory, limits.tmpBytes());
        StringBuilder text = new StringBuilder();
        for (String arg : args) {
            text.append(arg).append('\0');
        }
        Path file = runDirectory.resolve(digest(packageDirectory.toString()) + ".args");
        Path temp = runDirectory.resolve(file.getFileName() + "." + Thread.currentThread().getId() + ".tmp");
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(temp, text.toString().getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        argumentFiles.put(packageDirectory, file);
        return file;
    }

    /** Ends every instance still in a cgroup of this server and removes the server's cgroups. */
    @Override
    public void close() {
        closed = true;
        cgroups.ifPresent(groups -> {
            // An instance being prepared as the server stops may create its group after a first pass.
            for (int pass = 0; pass < 3; pass++) {
                groups.clearLeftovers();
                if (groups.close()) {
                    return;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        });
    }

    private static String digest(String value) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    /**
     * How to start one instance.
     *
     * @param command the command line
     * @param group   the instance's cgroup, when cgroups are in use
     */
    public record Launch(List<String> command, Optional<Cgroups.Group> group) {
        public Launch {
            command = List.copyOf(command);
        }
    }
}
