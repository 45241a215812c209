package dev.faasx.server;

/**
 * How a {@link ReferenceServer} isolates the functions it runs.
 *
 * <ul>
 *   <li>{@link #SANDBOX}: each instance runs in its own bubblewrap sandbox: its package read-only, a private bounded
 *       {@code /tmp}, the system's runtime directories read-only, its own PID namespace, an unprivileged user, and
 *       nothing else of the machine (no data directory, no other function, no server file, command line or
 *       environment). Needs the {@code bwrap} program (Debian/Ubuntu package {@code bubblewrap}).</li>
 *   <li>{@link #NONE}: functions run as plain processes of the server's user, with the server's rights; only for
 *       code you trust.</li>
 * </ul>
 *
 * <p>When none is chosen, the server uses {@code SANDBOX} where bubblewrap works and {@code NONE}, with a warning,
 * where it does not.
 */
public enum Isolation {
    /** Every function instance in its own bubblewrap sandbox. */
    SANDBOX,
    /** Functions run as processes of the server's user. */
    NONE
}
