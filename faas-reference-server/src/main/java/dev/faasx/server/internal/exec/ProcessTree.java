package dev.faasx.server.internal.exec;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kills a bootstrap process and everything it started. {@link ProcessHandle#descendants()} finds the children that
 * are still attached to the tree; a child that was orphaned (its parent exited) but still holds the function's
 * stdout or stderr pipe is found through {@code /proc/PID/fd}, so that no reader of those pipes stays blocked.
 */
final class ProcessTree {
    private static final long SELF = ProcessHandle.current().pid();

    private ProcessTree() {
    }

    static void kill(Spawned spawned) {
        ProcessHandle root = spawned.process().toHandle();
        // Snapshot before killing: once the root dies its children are re-parented and no longer its descendants.
        for (int pass = 0; pass < 3; pass++) {
            List<ProcessHandle> tree = new ArrayList<>();
            root.descendants().forEach(tree::add);
            root.destroyForcibly();
            tree.forEach(ProcessHandle::destroyForcibly);
            if (tree.stream().noneMatch(ProcessHandle::isAlive) && root.descendants().findAny().isEmpty()) {
                break;
            }
        }
        killHolders(spawned.stdoutPipe(), spawned.stderrPipe());
    }

    /** Kills processes other than this one that hold any of the pipes (orphans that inherited them). */
    static void killHolders(Optional<String> first, Optional<String> second) {
        if (first.isEmpty() && second.isEmpty()) {
            return;
        }
        Path proc = Path.of("/proc");
        try (DirectoryStream<Path> pids = Files.newDirectoryStream(proc, p -> isPid(p.getFileName().toString()))) {
            for (Path pidDir : pids) {
                long pid = Long.parseLong(pidDir.getFileName().toString());
                // Our own children are skipped: one being spawned right now briefly holds copies of our descriptors.
                if (pid != SELF && holdsAny(pidDir.resolve("fd"), first, second)) {
                    ProcessHandle.of(pid).filter(ProcessTree::isNotOurChild).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException | RuntimeException e) {
            // /proc is missing or unreadable: the process tree kill above is all that can be done.
        }
    }

    private static boolean isNotOurChild(ProcessHandle handle) {
        return handle.parent().map(parent -> parent.pid() != SELF).orElse(true);
    }

    private static boolean holdsAny(Path fdDir, Optional<String> first, Optional<String> second) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (first.map(target::equals).orElse(false) || second.map(target::equals).orElse(false)) {
                        return true;
                    }
                } catch (IOException e) {
                    // The descriptor was closed while we looked.
                }
            }
        } catch (IOException e) {
            // Not our process (no permission) or it exited while we looked.
        }
        return false;
    }

    private static boolean isPid(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (!Character.isDigit(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
