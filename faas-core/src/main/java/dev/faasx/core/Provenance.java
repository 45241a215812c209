package dev.faasx.core;

/**
 * Where a {@link Figure} came from. faasx never invents a number: a figure that nobody measured or reported is
 * {@link #UNKNOWN}.
 */
public enum Provenance {
    /** Measured by this process (for example the client's wall-clock round trip). */
    MEASURED_BY_CLIENT,
    /** Reported by the platform that ran the function (for example Lambda's {@code REPORT} line). */
    REPORTED_BY_PROVIDER,
    /** Nobody measured or reported it. */
    UNKNOWN
}
