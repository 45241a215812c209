package dev.faasx.server.internal.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control groups this server creates for its function instances, one per instance under a base group named
 * after the data directory: memory (the instance's {@code memory_mb}), process count, peak memory and out-of-memory
 * kills. Works with cgroup v2 (a delegated subtree with the memory and pids controllers) and with cgroup v1 (the
 * memory and pids hierarchies), whichever this server can write to; {@link #open} answers empty when it can use
 * neither, and the sandbox then falls back to resource limits ({@code prlimit}).
 *
 * <p>Thread-safe.
 */
public final class Cgroups {
    private static final Logger LOG = LoggerFactory.getLogger(Cgroups.class);
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    private final boolean v2;
    /** v2: the one base directory; v1: the base directories in the memory and the pids hierarchies. */
    private final List<Path> bases;

    private Cgroups(boolean v2, List<Path> bases) {
        this.v2 = v2;
        this.bases = List.copyOf(bases);
    }

    /** The cgroups named {@code name} (created or reused), or empty when this process cannot create cgroups. */
    public static Optional<Cgroups> open(String name) {
        try {
            if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
                return openV2(name);
            }
            return openV1(name);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cgroups unusable: {}", e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Cgroups> openV2(String name) throws IOException {
        Optional<String> own = ownPath("");
        if (own.isEmpty()) {
            return Optional.empty();
        }
        Path mine = ROOT.resolve(relative(own.get()));
        String available = Files.readString(mine.resolve("cgroup.subtree_control"));
        if (!available.contains("memory") || !available.contains("pids")) {
            // Enabling controllers for children fails while this cgroup holds processes ("no internal processes").
            write(mine.resolve("cgroup.subtree_control"), "+memory +pids");
        }
        Path base = mine.resolve(name);
        Files.createDirectories(base);
        write(base.resolve("cgroup.subtree_control"), "+memory +pids");
        return Optional.of(new Cgroups(true, List.of(base)));
    }

    private static Optional<Cgroups> openV1(String name) throws IOException {
        List<Path> bases = new ArrayList<>();
        for (String controller : List.of("memory", "pids")) {
            Optional<String> own = ownPath(controller);
            Path mount = ROOT.resolve(controller);
            if (own.isEmpty() || !Files.isDirectory(mount)) {
                return Optional.empty();
            }
            Path mine = mount.resolve(relative(own.get()));
            if (!Files.isDirectory(mine)) {
                mine = mount; // a cgroup namespace shows its own root as the mount's root
            }
            Path base = mine.resolve(name);
            Files.createDirectories(base);
            bases.add(base);
        }
        return Optional.of(new Cgroups(false, bases));
    }

    /** This process's cgroup path for {@code controller} ("" for the v2 unified hierarchy). */
    private static Optional<String> ownPath(String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                return Optional.of(parts[2]);
            }
            if (parts.length == 3 && controller.isEmpty() && parts[1].isEmpty()) {
                return Optional.of(parts[2]);
            }
        }
        return Optional.empty();
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** "cgroup v2" or "cgroup v1". */
    public String describe() {
        return v2 ? "cgroup v2" : "cgroup v1";
    }

    /**
     * Creates the group of one instance with its limits.
     *
     * @param memoryBytes the most memory its processes (and its {@code /tmp}) may use together
     * @param maxProcesses the most processes and threads it may run at once
     */
    public Group create(String instance, long memoryBytes, int maxProcesses) throws IOException {
        List<Path> dirs = new ArrayList<>();
        try {
            for (Path base : bases) {
                Path dir = base.resolve(instance);
                Files.createDirectory(dir);
                dirs.add(dir);
            }
            if (v2) {
                Path dir = dirs.get(0);
                write(dir.resolve("memory.max"), Long.toString(memoryBytes));
                writeIfExists(dir.resolve("memory.swap.max"), "0");
                write(dir.resolve("pids.max"), Integer.toString(maxProcesses));
            } else {
                Path memory = dirs.get(0);
                write(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                writeIfExists(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                write(dirs.get(1).resolve("pids.max"), Integer.toString(maxProcesses));
            }
            return new Group(dirs);
        } catch (IOException | RuntimeException e) {
            new Group(dirs).destroy();
            throw e;
        }
    }

    /**
     * Ends whatever instances a previous run of this server left behind (a server killed before it could stop
     * them): every process in each leftover group is killed and the group removed.
     *
     * @return how many groups were cleared
     */
    public int clearLeftovers() {
        List<Path> leftovers = new ArrayList<>();
        for (Path base : bases) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(base, Files::isDirectory)) {
                dirs.forEach(leftovers::add);
            } catch (IOException e) {
                LOG.debug("cannot list {}: {}", base, e.getMessage());
            }
        }
        for (Path dir : leftovers) {
            new Group(List.of(dir)).destroy();
        }
        return leftovers.size() / bases.size();
    }

    /** Removes the (empty) base groups; true when all are gone. */
    public boolean close() {
        boolean removed = true;
        for (Path base : bases) {
            try {
                Files.deleteIfExists(base);
            } catch (IOException e) {
                LOG.debug("cannot remove {}: {}", base, e.getMessage());
                removed = false;
            }
        }
        return removed;
    }

    private static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeIfExists(Path file, String value) throws IOException {
        if (Files.exists(file)) {
            write(file, value);
        }
    }

    /**
     * The group of one instance. Its figures can be read while it lives; {@link #destroy} keeps the last reading, so
     * that a caller learning of an exit after the group was removed still knows the peak and whether memory ran out.
     */
    public final class Group {
        private final List<Path> dirs;
        private long finalPeak = -1;
        private long finalOomKills = -1;
        private boolean destroyed;

        private Group(List<Path> dirs) {
            this.dirs = List.copyOf(dirs);
        }

        /** The files a process writes its pid to, to join this group (and its children with it). */
        public List<Path> procsFiles() {
            List<Path> files = new ArrayList<>();
            for (Path dir : dirs) {
                files.add(dir.resolve("cgroup.procs"));
            }
            return files;
        }

        /** The highest memory use of the group's processes so far, in bytes, when the kernel keeps it. */
        public synchronized OptionalLong peakBytes() {
            long value = destroyed ? finalPeak : readPeak();
            return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
        }

        /** Whether the kernel killed a process of this group because the group ran out of memory. */
        public synchronized boolean outOfMemory() {
            return (destroyed ? finalOomKills : readOomKills()) > 0;
        }

        private long readPeak() {
            if (dirs.isEmpty()) {
                return -1;
            }
            Path file = dirs.get(0).resolve(v2 ? "memory.peak" : "memory.max_usage_in_bytes");
            try {
                return Long.parseLong(Files.readString(file).trim());
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
        }

        private long readOomKills() {
            if (dirs.isEmpty()) {
                return -1;
            }
            Path file = dirs.get(0).resolve(v2 ? "memory.events" : "memory.oom_control");
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.startsWith("oom_kill ")) {
                        return Long.parseLong(line.substring("oom_kill ".length()).trim());
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }

        /** Kills every process left in the group and removes it; idempotent. */
        public void destroy() {
            synchronized (this) {
                if (destroyed) {
                    return;
                }
                finalPeak = readPeak();
                finalOomKills = readOomKills();
                destroyed = true;
            }
            for (Path dir : dirs) {
                killAll(dir);
                remove(dir);
            }
        }

        /** Removes the directory, waiting briefly for killed members to be reaped (a busy group cannot go). */
        private void remove(Path dir) {
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.deleteIfExists(dir);
                    return;
                } catch (IOException e) {
                    if (attempt >= 50) {
                        LOG.debug("cannot remove cgroup {}: {}", dir, e.getMessage());
                        return;
                    }
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void killAll(Path dir) {
            if (v2 && Files.exists(dir.resolve("cgroup.kill"))) {
                try {
                    write(dir.resolve("cgroup.kill"), "1");
                } catch (IOException e) {
                    LOG.debug("cannot write cgroup.kill of {}: {}", dir, e.getMessage());
                }
            }
            // v1 (or an old v2) has no cgroup.kill: kill the group's members until none is left.
            for (int pass = 0; pass < 50; pass++) {
                List<String> pids;
                try {
                    pids = Files.readAllLines(dir.resolve("cgroup.procs"));
                } catch (IOException e) {
                    return;
                }
                pids.removeIf(String::isBlank);
                if (pids.isEmpty()) {
                    return;
                }
                for (String pid : pids) {
                    ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
