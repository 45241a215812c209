package dev.faasx.cloudflare;

import java.time.Instant;
import java.util.Objects;

/**
 * How many invocations of a Worker Analytics Engine recorded in a time window, counted with
 * {@code SUM(_sample_interval)} so that sampled rows count for the invocations they stand for.
 *
 * <pre>{@code
 * InvocationCounts c = executor.analytics().counts(7, Instant.now().minus(Duration.ofHours(1)), Instant.now()).join();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param from      the start of the window (inclusive, whole seconds)
 * @param to        the end of the window (inclusive, whole seconds)
 * @param total     all invocations
 * @param succeeded invocations whose function succeeded
 * @param failed    invocations whose function failed
 * @param timedOut  invocations that ran out of time
 * @param rejected  requests the wrapper refused (malformed, or without the invocation secret)
 * @param cold      invocations that were an isolate's first
 */
public record InvocationCounts(Instant from, Instant to, long total, long succeeded, long failed, long timedOut,
                               long rejected, long cold) {
    public InvocationCounts {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
    }
}
