package dev.faasx.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known about one invocation. Every figure carries its {@link Provenance}: measured by the client,
 * reported by the provider, or unknown. A figure nobody measured stays {@link Figure#unknown()}; faasx never
 * derives a cold start or a billed duration from latency.
 *
 * <pre>{@code
 * InvocationMetrics m = InvocationMetrics.builder()
 *     .totalDuration(Figure.measured(Duration.ofMillis(12)))
 *     .coldStart(Figure.reported(false))
 *     .build();
 * }</pre>
 *
 * @param totalDuration     wall-clock time of the whole call as the caller saw it
 * @param executionDuration time the function itself ran
 * @param billedDuration    duration the provider bills for
 * @param initDuration      initialisation time of a new instance (present only on a cold start)
 * @param coldStart         whether a new instance had to be started for this call
 * @param memoryUsedMb      peak memory the function used, in MiB
 * @param memorySizeMb      memory configured for the function, in MiB
 * @param requestId         the provider's request id, when it gave one
 */
public record InvocationMetrics(
        Figure<Duration> totalDuration,
        Figure<Duration> executionDuration,
        Figure<Duration> billedDuration,
        Figure<Duration> initDuration,
        Figure<Boolean> coldStart,
        Figure<Long> memoryUsedMb,
        Figure<Long> memorySizeMb,
        Optional<String> requestId) {

    private static final InvocationMetrics UNKNOWN = builder().build();

    public InvocationMetrics {
        totalDuration = orUnknown(totalDuration);
        executionDuration = orUnknown(executionDuration);
        billedDuration = orUnknown(billedDuration);
        initDuration = orUnknown(initDuration);
        coldStart = orUnknown(coldStart);
        memoryUsedMb = orUnknown(memoryUsedMb);
        memorySizeMb = orUnknown(memorySizeMb);
        requestId = requestId == null ? Optional.empty() : requestId;
    }

    /** Metrics where every figure is unknown. */
    public static InvocationMetrics unknown() {
        return UNKNOWN;
    }

    /** Metrics that only know the round trip the client measured. */
    public static InvocationMetrics measured(Duration totalDuration) {
        return builder().totalDuration(Figure.measured(totalDuration)).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these metrics. */
    public Builder toBuilder() {
        return new Builder()
                .totalDuration(totalDuration)
                .executionDuration(executionDuration)
                .billedDuration(billedDuration)
                .initDuration(initDuration)
                .coldStart(coldStart)
                .memoryUsedMb(memoryUsedMb)
                .memorySizeMb(memorySizeMb)
                .requestId(requestId.orElse(null));
    }

    private static <T> Figure<T> orUnknown(Figure<T> figure) {
        return figure == null ? Figure.unknown() : figure;
    }

    /** Builds {@link InvocationMetrics}; figures that are not set are unknown. Not thread-safe. */
    public static final class Builder {
        private Figure<Duration> totalDuration;
        private Figure<Duration> executionDuration;
        private Figure<Duration> billedDuration;
        private Figure<Duration> initDuration;
        private Figure<Boolean> coldStart;
        private Figure<Long> memoryUsedMb;
        private Figure<Long> memorySizeMb;
        private String requestId;

        private Builder() {
        }

        public Builder totalDuration(Figure<Duration> value) {
            this.totalDuration = Objects.requireNonNull(value, "totalDuration");
            return this;
        }

        public Builder executionDuration(Figure<Duration> value) {
            this.executionDuration = Objects.requireNonNull(value, "executionDuration");
            return this;
        }

        public Builder billedDuration(Figure<Duration> value) {
            this.billedDuration = Objects.requireNonNull(value, "billedDuration");
            return this;
        }

        public Builder initDuration(Figure<Duration> value) {
            this.initDuration = Objects.requireNonNull(value, "initDuration");
            return this;
        }

        public Builder coldStart(Figure<Boolean> value) {
            this.coldStart = Objects.requireNonNull(value, "coldStart");
            return this;
        }

        public Builder memoryUsedMb(Figure<Long> value) {
            this.memoryUsedMb = Objects.requireNonNull(value, "memoryUsedMb");
            return this;
        }

        public Builder memorySizeMb(Figure<Long> value) {
            this.memorySizeMb = Objects.requireNonNull(value, "memorySizeMb");
            return this;
        }

        /** The provider's request id; {@code null} clears it. */
        public Builder requestId(String value) {
            this.requestId = value;
            return this;
        }

        public InvocationMetrics build() {
            return new InvocationMetrics(totalDuration, executionDuration, billedDuration, initDuration, coldStart,
                    memoryUsedMb, memorySizeMb, Optional.ofNullable(requestId));
        }
    }
}
