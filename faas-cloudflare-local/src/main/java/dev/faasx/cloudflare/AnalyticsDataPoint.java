package dev.faasx.cloudflare;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One Analytics Engine data point as a Worker wrote it with {@code writeDataPoint}, captured by
 * {@link LocalWorkersRuntime}. In Analytics Engine's table it is one row: {@code index1}, {@code blob1..20},
 * {@code double1..20}, {@code timestamp}.
 *
 * <pre>{@code
 * runtime.dataPoints().stream().filter(p -> p.index1().equals(requestId)).findFirst();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param dataset   the dataset the binding writes to
 * @param timestamp when the Worker wrote it
 * @param indexes   the indexes (Analytics Engine allows one)
 * @param blobs     the blobs in order ({@code blob1} first); binary blobs are decoded as UTF-8
 * @param doubles   the doubles in order ({@code double1} first)
 */
public record AnalyticsDataPoint(String dataset, Instant timestamp, List<String> indexes, List<String> blobs,
                                 List<Double> doubles) {
    public AnalyticsDataPoint {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(timestamp, "timestamp");
        indexes = List.copyOf(indexes);
        blobs = List.copyOf(blobs);
        doubles = List.copyOf(doubles);
    }

    /** {@code index1}, or the empty string when the data point has no index. */
    public String index1() {
        return indexes.isEmpty() ? "" : indexes.get(0);
    }

    /** {@code blobN} (1-based), or the empty string when it was not written. */
    public String blob(int n) {
        return n >= 1 && n <= blobs.size() ? blobs.get(n - 1) : "";
    }

    /** {@code doubleN} (1-based), or 0 when it was not written. */
    public double doubleValue(int n) {
        return n >= 1 && n <= doubles.size() ? doubles.get(n - 1) : 0.0;
    }
}
