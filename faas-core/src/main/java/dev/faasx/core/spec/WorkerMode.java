package dev.faasx.core.spec;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How a platform runs a deployed {@code bootstrap}: the deploy configuration's {@code worker_mode} extension.
 *
 * <ul>
 *   <li>{@link #PROCESS} ({@code "process"}): spec v1, one process per invocation, request on stdin until EOF.</li>
 *   <li>{@link #PERSISTENT} ({@code "persistent"}): long-lived worker processes started with
 *       {@code FAASX_WORKER_MODE=persistent}; each prints a ready line, then answers one request per line.</li>
 * </ul>
 */
public enum WorkerMode {
    PROCESS("process"),
    PERSISTENT("persistent");

    private final String wireName;

    WorkerMode(String wireName) {
        this.wireName = wireName;
    }

    /** The value on the wire: {@code "process"} or {@code "persistent"}. */
    public String wireName() {
        return wireName;
    }

    /** The mode whose wire name is {@code value} (case-insensitive), if there is one. */
    public static Optional<WorkerMode> fromWireName(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String lower = value.toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(m -> m.wireName.equals(lower)).findFirst();
    }
}
