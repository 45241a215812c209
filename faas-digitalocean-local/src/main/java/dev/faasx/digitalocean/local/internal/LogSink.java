package dev.faasx.digitalocean.local.internal;

import java.util.ArrayList;
import java.util.List;

/** The log lines of one activation, cut off at the action's log limit as OpenWhisk cuts them. Thread-safe. */
final class LogSink {
    private final long limitBytes;
    private final List<String> lines = new ArrayList<>();
    private long bytes;
    private boolean truncated;

    LogSink(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    synchronized void add(String line) {
        if (truncated) {
            return;
        }
        long size = line.length() + 1L;
        if (bytes + size > limitBytes) {
            truncated = true;
            lines.add(OwErrors.truncatedLogs(limitBytes));
            return;
        }
        bytes += size;
        lines.add(line);
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }
}
