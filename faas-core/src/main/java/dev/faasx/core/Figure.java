package dev.faasx.core;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One figure of a metric together with its {@link Provenance}: a value that was measured by the client, a value
 * that the provider reported, or no value at all.
 *
 * <pre>{@code
 * Figure<Duration> billed = metrics.billedDuration();
 * billed.value().ifPresent(d -> System.out.println(d + " (" + billed.provenance() + ")"));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param <T> the value type, for example {@link java.time.Duration}, {@link Long} or {@link Boolean}
 */
public final class Figure<T> {
    private static final Figure<?> UNKNOWN = new Figure<>(Provenance.UNKNOWN, null);

    private final Provenance provenance;
    private final T value;

    private Figure(Provenance provenance, T value) {
        this.provenance = provenance;
        this.value = value;
    }

    /** A figure this process measured itself. */
    public static <T> Figure<T> measured(T value) {
        return new Figure<>(Provenance.MEASURED_BY_CLIENT, Objects.requireNonNull(value, "value"));
    }

    /** A figure the provider reported. */
    public static <T> Figure<T> reported(T value) {
        return new Figure<>(Provenance.REPORTED_BY_PROVIDER, Objects.requireNonNull(value, "value"));
    }

    /** A figure that faasx's own code measured inside the function (an adapter or wrapper), not the platform. */
    public static <T> Figure<T> reportedByFunction(T value) {
        return new Figure<>(Provenance.REPORTED_BY_FUNCTION, Objects.requireNonNull(value, "value"));
    }

    /** A figure reported by the function's own faasx code when {@code value} is non-null, otherwise {@link #unknown()}. */
    public static <T> Figure<T> reportedByFunctionOrUnknown(T value) {
        return value == null ? unknown() : reportedByFunction(value);
    }

    /** A figure nobody measured or reported. */
    @SuppressWarnings("unchecked")
    public static <T> Figure<T> unknown() {
        return (Figure<T>) UNKNOWN;
    }

    /** A reported figure when {@code value} is non-null, otherwise {@link #unknown()}. */
    public static <T> Figure<T> reportedOrUnknown(T value) {
        return value == null ? unknown() : reported(value);
    }

    public Provenance provenance() {
        return provenance;
    }

    /** The value, empty exactly when the provenance is {@link Provenance#UNKNOWN}. */
    public Optional<T> value() {
        return Optional.ofNullable(value);
    }

    public boolean isKnown() {
        return value != null;
    }

    /** The same figure with its value transformed and its provenance kept. */
    public <R> Figure<R> map(Function<? super T, ? extends R> mapper) {
        return value == null ? unknown() : new Figure<>(provenance, Objects.requireNonNull(mapper.apply(value)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Figure<?> other && provenance == other.provenance && Objects.equals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provenance, value);
    }

    @Override
    public String toString() {
        return switch (provenance) {
            case MEASURED_BY_CLIENT -> value + " (measured)";
            case REPORTED_BY_FUNCTION -> value + " (reported by the function)";
            case REPORTED_BY_PROVIDER -> value + " (reported)";
            case UNKNOWN -> "unknown";
        };
    }
}
