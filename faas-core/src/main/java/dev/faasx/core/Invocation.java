package dev.faasx.core;

import java.util.Objects;

/**
 * The answer of one successful remote invocation: what the function produced and what is known about the call.
 *
 * @param output  the function's output bytes and metadata
 * @param metrics figures about the call, each with its provenance
 */
public record Invocation(JobOutput output, InvocationMetrics metrics) {
    public Invocation {
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(metrics, "metrics");
    }
}
