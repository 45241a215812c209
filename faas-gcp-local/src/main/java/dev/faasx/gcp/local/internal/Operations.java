package dev.faasx.gcp.local.internal;

import com.google.longrunning.Operation;
import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.rpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The long-running operations the emulator has started, by name. Thread-safe. */
public final class Operations {
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();

    /** Starts an operation in {@code location} ({@code projects/p/locations/l}) with {@code metadata}. */
    Operation start(String location, Message metadata) {
        String name = location + "/operations/operation-" + System.currentTimeMillis() + "-" + counter.incrementAndGet();
        Operation operation = Operation.newBuilder().setName(name).setMetadata(Any.pack(metadata)).build();
        operations.put(name, operation);
        return operation;
    }

    void succeed(String name, Message metadata, Message response) {
        operations.computeIfPresent(name, (n, op) -> op.toBuilder().setDone(true).setMetadata(Any.pack(metadata))
                .setResponse(Any.pack(response)).build());
    }

    void fail(String name, Message metadata, int code, String message) {
        operations.computeIfPresent(name, (n, op) -> op.toBuilder().setDone(true).setMetadata(Any.pack(metadata))
                .setError(Status.newBuilder().setCode(code).setMessage(message)).build());
    }

    /** The operation's current state, counting the look-up as a poll. */
    public Optional<Operation> poll(String name) {
        polls.incrementAndGet();
        return Optional.ofNullable(operations.get(name));
    }

    /** Operations whose names start with {@code prefix}. */
    public List<Operation> list(String prefix) {
        return operations.values().stream().filter(op -> op.getName().startsWith(prefix))
                .sorted(java.util.Comparator.comparing(Operation::getName)).toList();
    }

    public boolean delete(String name) {
        return operations.remove(name) != null;
    }

    /** How many times an operation has been looked up. */
    public long polls() {
        return polls.get();
    }
}
