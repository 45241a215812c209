package dev.faasx.server.internal.exec;

import dev.faasx.server.internal.sandbox.Cgroups;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;

/**
 * One started {@code bootstrap} process: its streams, how long it took to start, and the identity of its stdout and
 * stderr pipes (read from {@code /proc} while it is alive), which lets a kill find descendants that outlived it and
 * still hold the pipes. When the process runs in its own cgroup, the group is ended (anything left in it killed)
 * as soon as the process exits, keeping its peak memory and whether it ran out of memory.
 */
final class Spawned {
    private final Process process;
    private final long startedNanos;
    private final Duration spawnDuration;
    private final StderrTail stderr;
    private final Optional<String> stdoutPipe;
    private final Optional<String> stderrPipe;
    private final Optional<Cgroups.Group> group;

    Spawned(Process process, long startedNanos, Duration spawnDuration, int stderrCapacity,
            Optional<Cgroups.Group> group, Executor cleanup) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.spawnDuration = spawnDuration;
        this.stderr = new StderrTail(process.getErrorStream(), stderrCapacity);
        this.stdoutPipe = pipeIdentity(process.pid(), 1);
        this.stderrPipe = pipeIdentity(process.pid(), 2);
        this.group = group;
        group.ifPresent(g -> process.onExit().thenRunAsync(g::destroy, cleanup));
    }

    /** Whether the process runs in a cgroup of its own, which gives memory figures. */
    boolean hasGroup() {
        return group.isPresent();
    }

    /** The peak memory of the instance's cgroup so far (or at its end), in MiB rounded up, when known. */
    OptionalLong peakMemoryMb() {
        if (group.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong bytes = group.get().peakBytes();
        return bytes.isPresent() ? OptionalLong.of((bytes.getAsLong() + (1 << 20) - 1) >> 20) : OptionalLong.empty();
    }

    /** Whether the kernel killed a process of this instance because it used more memory than allowed. */
    boolean outOfMemory() {
        return group.isPresent() && group.get().outOfMemory();
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    InputStream stdout() {
        return process.getInputStream();
    }

    StderrTail stderr() {
        return stderr;
    }

    /** When {@code start()} was called, in {@link System#nanoTime()} terms. */
    long startedNanos() {
        return startedNanos;
    }

    /** How long {@code ProcessBuilder.start()} took. */
    Duration spawnDuration() {
        return spawnDuration;
    }

    Optional<String> stdoutPipe() {
        return stdoutPipe;
    }

    Optional<String> stderrPipe() {
        return stderrPipe;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process and everything it started, at once. */
    void kill() {
        ProcessTree.kill(this);
    }

    private static Optional<String> pipeIdentity(long pid, int fd) {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "fd", Integer.toString(fd)))
                    .toString();
            return link.startsWith("pipe:") ? Optional.of(link) : Optional.empty();
        } catch (Exception e) {
            // No /proc (not Linux) or the process already exited: the kill falls back to the process tree.
            return Optional.empty();
        }
    }
}
