package dev.faasx.server.internal.exec;

import java.util.concurrent.atomic.AtomicReference;

/** One request being run by one process; remembers why it was killed, if it was. Thread-safe. */
final class Run {
    private final Spawned process;
    private final AtomicReference<Execution.Outcome> killedFor = new AtomicReference<>();

    Run(Spawned process) {
        this.process = process;
    }

    Spawned process() {
        return process;
    }

    /** Kills the process tree; the first reason given wins. */
    void kill(Execution.Outcome reason) {
        if (killedFor.compareAndSet(null, reason)) {
            process.kill();
        }
    }

    /** Why the run was killed, or {@code null} when it was not. */
    Execution.Outcome killedFor() {
        return killedFor.get();
    }
}
