package dev.faasx.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.faasx.cloudflare.internal.CloudflareApi;
import dev.faasx.cloudflare.internal.ScriptNames;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Reads the invocations that {@link CloudflareWorkersExecutor}'s wrapper recorded in Workers Analytics Engine,
 * through the Analytics Engine SQL API: the records of a Worker in a time window, the records of given request ids
 * (polling, within a bounded wait, for Analytics Engine's ingestion delay of tens of seconds), and counts that take
 * sampling into account ({@code SUM(_sample_interval)}).
 *
 * <pre>{@code
 * AnalyticsQuery analytics = executor.analytics();
 * Invocation inv = executor.invokeWithMetrics(call).join();
 * Optional<InvocationMetrics> recorded = analytics.recordedMetrics(7, inv, Duration.ofMinutes(2)).join();
 * if (recorded.isEmpty()) { ... the record did not arrive in time: not confirmed ... }
 * InvocationCounts lastHour = analytics.counts(7, Instant.now().minus(Duration.ofHours(1)), Instant.now()).join();
 * }</pre>
 *
 * <p>Requires an API token with <em>Account Analytics: Read</em>. Thread-safe.
 */
public final class AnalyticsQuery {
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,96}");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final int MAX_ROWS = 10_000;
    private static final Duration RECENT = Duration.ofHours(1);

    private final CloudflareApi api;
    private final ScriptNames names;
    private final String dataset;
    private final Duration pollInterval;

    AnalyticsQuery(CloudflareApi api, ScriptNames names, String dataset, Duration pollInterval) {
        this.api = api;
        this.names = names;
        this.dataset = dataset;
        this.pollInterval = pollInterval;
    }

    /** The dataset the executor's Workers write to. */
    public String dataset() {
        return dataset;
    }

    /** Every recorded invocation of the job's Worker between {@code from} and {@code to} (inclusive, whole seconds). */
    public CompletableFuture<List<InvocationRecord>> invocations(long jobId, Instant from, Instant to) {
        return records(jobId, from, to, List.of());
    }

    /**
     * The records of the given request ids, waiting up to {@code maxWait} (polling) until all have arrived; the map
     * holds those that arrived in time, keyed by request id.
     */
    public CompletableFuture<Map<String, InvocationRecord>> awaitInvocations(long jobId, Collection<String> requestIds,
                                                                              Instant since, Duration maxWait) {
        List<String> ids = List.copyOf(Set.copyOf(requestIds));
        for (String id : ids) {
            if (!SAFE_ID.matcher(id).matches()) {
                return CompletableFuture.failedFuture(new InvalidRequestException("not a request id: '" + id + "'",
                        ErrorContext.of(CloudflareWorkersExecutor.PROVIDER, jobId)));
            }
        }
        long deadline = System.nanoTime() + maxWait.toNanos();
        return poll(jobId, ids, since, new LinkedHashMap<>(), deadline);
    }

    /**
     * The invocation's metrics with the figures of its Analytics Engine record (first request of the isolate and
     * execution time, {@linkplain dev.faasx.core.Figure#reportedByFunction reported by the function}: the wrapper
     * wrote them), waiting up to {@code maxWait} for the record of an invocation made within the last hour.
     * Empty when no record arrived in time (or the invocation has no request id): the invocation is then
     * <em>not confirmed</em> by Analytics Engine, which says nothing about whether it ran.
     */
    public CompletableFuture<Optional<InvocationMetrics>> recordedMetrics(long jobId, Invocation invocation,
                                                                          Duration maxWait) {
        InvocationMetrics metrics = invocation.metrics();
        Optional<String> requestId = metrics.requestId();
        if (requestId.isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return awaitInvocations(jobId, List.of(requestId.get()), Instant.now().minus(RECENT), maxWait)
                .thenApply(found -> Optional.ofNullable(found.get(requestId.get())).map(record -> {
                    InvocationMetrics recorded = record.functionMetrics();
                    InvocationMetrics.Builder b = metrics.toBuilder()
                            .executionDuration(recorded.executionDuration());
                    if (recorded.coldStart().isKnown()) {
                        b.coldStart(recorded.coldStart());
                    }
                    return b.build();
                }));
    }

    /** Counts of the job's invocations between {@code from} and {@code to}, sampling taken into account. */
    public CompletableFuture<InvocationCounts> counts(long jobId, Instant from, Instant to) {
        String sql = "SELECT blob2 AS outcome, blob3 AS start, SUM(_sample_interval) AS n FROM " + dataset
                + " WHERE " + window(jobId, from, to) + " GROUP BY outcome, start FORMAT JSON";
        return api.sql(sql, ctx(jobId)).thenApply(root -> {
            // total, succeeded, failed, timed out, rejected, cold
            long[] c = new long[6];
            for (JsonNode row : root.path("data")) {
                long n = number(row.get("n"));
                c[0] += n;
                switch (row.path("outcome").asText()) {
                    case "success" -> c[1] += n;
                    case "failure" -> c[2] += n;
                    case "timeout" -> c[3] += n;
                    default -> c[4] += n;
                }
                if (row.path("start").asText().equals("cold")) {
                    c[5] += n;
                }
            }
            return new InvocationCounts(seconds(from), seconds(to), c[0], c[1], c[2], c[3], c[4], c[5]);
        });
    }

    private CompletableFuture<Map<String, InvocationRecord>> poll(long jobId, List<String> ids, Instant since,
                                                                  Map<String, InvocationRecord> found, long deadline) {
        List<String> missing = ids.stream().filter(id -> !found.containsKey(id)).toList();
        return records(jobId, since, Instant.now().plusSeconds(60), missing)
                .exceptionally(e -> {
                    if (isMissingTable(e)) {
                        return List.of();
                    }
                    throw e instanceof CompletionException c ? c : new CompletionException(e);
                })
                .thenCompose(rows -> {
                    rows.forEach(r -> found.putIfAbsent(r.requestId(), r));
                    if (found.keySet().containsAll(ids) || System.nanoTime() >= deadline) {
                        return CompletableFuture.completedFuture(Map.copyOf(found));
                    }
                    long wait = Math.min(pollInterval.toNanos(), Math.max(0, deadline - System.nanoTime()));
                    return CompletableFuture.supplyAsync(() -> null,
                                    CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS))
                            .thenCompose(x -> poll(jobId, ids, since, found, deadline));
                });
    }

    private CompletableFuture<List<InvocationRecord>> records(long jobId, Instant from, Instant to,
                                                              List<String> requestIds) {
        StringBuilder sql = new StringBuilder("SELECT index1 AS request_id, blob1 AS script, blob2 AS outcome, "
                + "blob3 AS start, blob4 AS job_id, blob5 AS call_id, double1 AS wall_ms, double2 AS http_status, "
                + "timestamp, _sample_interval AS sample_interval FROM ").append(dataset).append(" WHERE ")
                .append(window(jobId, from, to));
        if (!requestIds.isEmpty()) {
            sql.append(" AND index1 IN (");
            for (int i = 0; i < requestIds.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append(literal(requestIds.get(i)));
            }
            sql.append(')');
        }
        sql.append(" ORDER BY timestamp LIMIT ").append(MAX_ROWS).append(" FORMAT JSON");
        return api.sql(sql.toString(), ctx(jobId)).thenApply(root -> {
            List<InvocationRecord> out = new ArrayList<>();
            for (JsonNode row : root.path("data")) {
                out.add(record(row));
            }
            return out;
        });
    }

    private String window(long jobId, Instant from, Instant to) {
        return "blob1 = " + literal(names.of(jobId)) + " AND timestamp >= toDateTime(" + seconds(from).getEpochSecond()
                + ") AND timestamp <= toDateTime(" + (to.getEpochSecond() + (to.getNano() > 0 ? 1 : 0)) + ")";
    }

    private static InvocationRecord record(JsonNode row) {
        String start = row.path("start").asText("");
        String job = row.path("job_id").asText("");
        String call = row.path("call_id").asText("");
        OptionalLong jobId = OptionalLong.empty();
        if (job.matches("-?\\d{1,19}")) {
            try {
                jobId = OptionalLong.of(Long.parseLong(job));
            } catch (NumberFormatException e) {
                // out of range: not a job id of ours
            }
        }
        return new InvocationRecord(row.path("request_id").asText(), row.path("script").asText(), jobId,
                call.isEmpty() ? Optional.empty() : Optional.of(call), row.path("outcome").asText(),
                start.equals("cold") ? Optional.of(true) : start.equals("warm") ? Optional.of(false) : Optional.empty(),
                Duration.ofNanos(Math.max(0, Math.round(decimal(row.get("wall_ms")) * 1_000_000))),
                (int) number(row.get("http_status")), timestamp(row.path("timestamp").asText()),
                Math.max(1, number(row.get("sample_interval"))));
    }

    private static boolean isMissingTable(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        String text = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        return cause instanceof InvalidRequestException
                && (text.contains("does not exist") || text.contains("unknown table") || text.contains("not found"));
    }

    /** A number that the SQL API may write as a JSON number or, for 64-bit integers, as a string. */
    private static long number(JsonNode node) {
        return Math.round(decimal(node));
    }

    private static double decimal(JsonNode node) {
        if (node == null || node.isNull()) {
            return 0;
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        try {
            return Double.parseDouble(node.asText().strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Instant timestamp(String text) {
        try {
            return LocalDateTime.parse(text, DATE_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e2) {
                return Instant.EPOCH;
            }
        }
    }

    private static Instant seconds(Instant i) {
        return Instant.ofEpochSecond(i.getEpochSecond());
    }

    private static String literal(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static ErrorContext ctx(long jobId) {
        return ErrorContext.builder(CloudflareWorkersExecutor.PROVIDER).jobId(jobId).build();
    }
}
