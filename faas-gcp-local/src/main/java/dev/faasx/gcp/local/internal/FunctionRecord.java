package dev.faasx.gcp.local.internal;

import com.google.cloud.functions.v2.Function;

/** One function the emulator holds: its current description, its URL and the revision counter. Guarded by itself. */
final class FunctionRecord {
    final String name;
    final FunctionFront front;
    Function function;
    int revision;
    boolean busy;

    FunctionRecord(String name, FunctionFront front, Function function) {
        this.name = name;
        this.front = front;
        this.function = function;
    }
}
