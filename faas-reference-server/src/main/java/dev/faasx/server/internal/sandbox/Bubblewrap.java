package dev.faasx.server.internal.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The bubblewrap ({@code bwrap}) command line of a function sandbox. Two ways to drop to an unprivileged user:
 * a server running as root uses bwrap's privileged mode and switches to {@link #SANDBOX_UID} with {@code setpriv}
 * inside (so the function is that unprivileged user on the host too, not root mapped into a user namespace); any
 * other server uses an unprivileged user namespace in which the function is {@link #SANDBOX_UID}.
 *
 * <p>Inside the sandbox the function sees: the system's runtime directories read-only ({@code /usr}, {@code /bin},
 * {@code /sbin}, {@code /lib*}, {@code /etc}, the server's JDK and any extra paths the operator named), its package
 * read-only at {@link #PACKAGE_DIR}, a private {@code tmpfs} at {@code /tmp} of bounded size, its own {@code /proc}
 * (its own PID namespace) and a minimal {@code /dev}. It gets its own IPC and UTS namespaces, a new session (no
 * terminal injection), and dies with its parent. Stateless and thread-safe.
 */
public final class Bubblewrap {
    /** Where the function's package appears inside the sandbox. */
    public static final String PACKAGE_DIR = "/function";
    /** The unprivileged user (and group) functions run as: {@code nobody} on Debian and most distributions. */
    public static final int SANDBOX_UID = 65534;

    private static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
            "/libx32", "/etc");
    private static final String SETPRIV = "/usr/bin/setpriv";
    private static final String PRLIMIT = "/usr/bin/prlimit";

    private final Path bwrap;
    private final boolean privileged;
    private final boolean network;
    private final List<Path> readOnlyPaths;

    private Bubblewrap(Path bwrap, boolean privileged, boolean network, List<Path> readOnlyPaths) {
        this.bwrap = bwrap;
        this.privileged = privileged;
        this.network = network;
        this.readOnlyPaths = List.copyOf(readOnlyPaths);
    }

    /** The {@code bwrap} program on the usual paths, if installed. */
    public static Optional<Path> find() {
        for (String dir : List.of("/usr/bin", "/usr/local/bin", "/bin")) {
            Path candidate = Path.of(dir, "bwrap");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * A sandbox builder for this machine, checked by running {@code /bin/true} in a sandbox.
     *
     * @param network       whether functions keep the host's network
     * @param readOnlyPaths further host paths functions may read (the JDK, shared tools)
     * @throws IllegalStateException naming why a sandbox cannot be made here
     */
    public static Bubblewrap probe(boolean network, List<Path> readOnlyPaths) {
        Path bwrap = find().orElseThrow(() -> new IllegalStateException(
                "bubblewrap is not installed (install the 'bubblewrap' package)"));
        boolean root = isRoot();
        if (root && !Files.isExecutable(Path.of(SETPRIV))) {
            throw new IllegalStateException(SETPRIV + " (util-linux) is missing: it drops root to an unprivileged "
                    + "user inside the sandbox");
        }
        Bubblewrap sandbox = new Bubblewrap(bwrap, root, network, readOnlyPaths);
        List<String> command = new ArrayList<>(List.of(bwrap.toString()));
        command.addAll(sandbox.options(Path.of("/"), 1024 * 1024));
        command.addAll(sandbox.command(Optional.empty(), List.of("/bin/true")));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readNBytes(4096);
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("bubblewrap did not finish a trial run within 10 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("bubblewrap cannot create a sandbox here (exit status "
                        + process.exitValue() + "): " + new String(output, StandardCharsets.UTF_8).strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + bwrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while trying bubblewrap", e);
        }
        return sandbox;
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return uid instanceof Integer value && value == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    public Path program() {
        return bwrap;
    }

    /** Whether the server runs as root (bwrap's privileged mode, {@code setpriv} inside). */
    public boolean privileged() {
        return privileged;
    }

    public boolean network() {
        return network;
    }

    /** The version bwrap reports, for the start-up line. */
    public String version() {
        try {
            Process process = new ProcessBuilder(bwrap.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readNBytes(200), StandardCharsets.UTF_8).strip();
            process.waitFor(5, TimeUnit.SECONDS);
            return out.isEmpty() ? "bubblewrap" : out;
        } catch (IOException e) {
            return "bubblewrap";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "bubblewrap";
        }
    }

    /**
     * The options (after {@code bwrap}, before {@code --}) of a sandbox over {@code packageDir}: bwrap reads them from
     * a file, so that they never show on a command line.
     *
     * @param tmpBytes the size of the private {@code /tmp}
     */
    public List<String> options(Path packageDir, long tmpBytes) {
        List<String> args = new ArrayList<>(List.of("--unshare-ipc", "--unshare-pid", "--unshare-uts",
                "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "faasx"));
        if (!network) {
            args.add("--unshare-net");
        }
        if (!privileged) {
            args.addAll(List.of("--unshare-user", "--uid", Integer.toString(SANDBOX_UID), "--gid",
                    Integer.toString(SANDBOX_UID)));
        }
        for (String dir : SYSTEM_DIRS) {
            Path path = Path.of(dir);
            if (Files.isSymbolicLink(path)) {
                try {
                    args.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), dir));
                } catch (IOException e) {
                    // Unreadable link: leave it out.
                }
            } else if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                args.addAll(List.of("--ro-bind", dir, dir));
            }
        }
        java.util.SortedSet<Path> parents = new java.util.TreeSet<>();
        List<String> binds = new ArrayList<>();
        for (Path extra : readOnlyPaths) {
            if (SYSTEM_DIRS.stream().noneMatch(dir -> extra.startsWith(Path.of(dir))) && Files.exists(extra)) {
                for (Path parent = extra.getParent(); parent != null && parent.getParent() != null;
                     parent = parent.getParent()) {
                    parents.add(parent);
                }
                binds.addAll(List.of("--ro-bind", extra.toString(), extra.toString()));
            }
        }
        // bwrap would make missing parents private to root; the unprivileged user must be able to pass them.
        for (Path parent : parents) {
            if (!readOnlyPaths.contains(parent)) {
                args.addAll(List.of("--perms", "0755", "--dir", parent.toString()));
            }
        }
        args.addAll(binds);
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", Long.toString(tmpBytes), "--tmpfs", "/tmp",
                "--ro-bind", packageDir.toString(), PACKAGE_DIR, "--chdir", PACKAGE_DIR));
        if (privileged) {
            // Only what setpriv needs to switch users survives; the switch to a non-root uid clears them too.
            args.addAll(List.of("--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"));
        }
        return args;
    }

    /**
     * What follows the options: {@code --}, then (as root) the switch to the unprivileged user, then resource limits
     * when no cgroup enforces them, then {@code command}. Only paths inside the sandbox appear here.
     *
     * @param rlimits {@code prlimit} options, when limits must be set that way
     */
    public List<String> command(Optional<List<String>> rlimits, List<String> command) {
        List<String> args = new ArrayList<>();
        args.add("--");
        if (privileged) {
            args.addAll(List.of(SETPRIV, "--reuid=" + SANDBOX_UID, "--regid=" + SANDBOX_UID, "--clear-groups",
                    "--no-new-privs", "--"));
        }
        rlimits.ifPresent(options -> {
            args.add(PRLIMIT);
            args.addAll(options);
            args.add("--");
        });
        args.addAll(command);
        return args;
    }
}
