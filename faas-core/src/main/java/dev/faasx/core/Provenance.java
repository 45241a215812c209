package dev.faasx.core;

/**
 * Where a metric figure came from. A figure is only ever labelled with the source it actually came from: a figure
 * faasx's own code measured inside a function is {@link #REPORTED_BY_FUNCTION}, never {@link #REPORTED_BY_PROVIDER},
 * even when the platform carried it back.
 */
public enum Provenance {
    /** Measured by this process (for example the client's wall-clock round trip). */
    MEASURED_BY_CLIENT,
    /**
     * Measured by faasx's own code running inside the function (a function adapter or a Worker wrapper), for example
     * the handler's execution time or "first call in this instance". The platform's accounting may differ.
     */
    REPORTED_BY_FUNCTION,
    /**
     * Reported by the platform's own accounting (Lambda's {@code REPORT} line, an OpenWhisk activation record, the
     * reference server, which is the platform).
     */
    REPORTED_BY_PROVIDER,
    /** Nobody measured or reported it. */
    UNKNOWN
}
