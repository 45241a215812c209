package dev.faasx.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The figures of one Lambda {@code REPORT} line, as the platform writes it at the end of every invocation's log:
 * {@code REPORT RequestId: <id>\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\t
 * Max Memory Used: 70 MB\tInit Duration: 180.12 ms}, or, for a function whose logging configuration asks for the
 * JSON log format, the {@code platform.report} record: {@code {"type":"platform.report","record":{"requestId":…,
 * "metrics":{"durationMs":12.34,"billedDurationMs":13,"memorySizeMB":128,"maxMemoryUsedMB":70,
 * "initDurationMs":180.12}}}}. A figure absent from the report is empty, never guessed.
 * {@code Init Duration} appears only when the invocation started a new execution environment, and
 * {@code Restore Duration} only when it was restored from a SnapStart snapshot: either marks a cold start.
 *
 * @param requestId      the request id the line names
 * @param duration       how long the handler ran
 * @param billedDuration what Lambda bills for
 * @param memorySizeMb   configured memory
 * @param maxMemoryUsedMb peak memory of the environment
 * @param initDuration   initialisation time of a new environment (cold start only)
 * @param restoreDuration restore time of a SnapStart snapshot (cold start only)
 */
public record LambdaReport(Optional<String> requestId, Optional<Duration> duration, Optional<Duration> billedDuration,
                           OptionalLong memorySizeMb, OptionalLong maxMemoryUsedMb, Optional<Duration> initDuration,
                           Optional<Duration> restoreDuration) {

    private static final String MARK = "REPORT RequestId:";
    private static final String JSON_MARK = "\"platform.report\"";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether this invocation started (or restored) an execution environment. */
    public boolean coldStart() {
        return initDuration.isPresent() || restoreDuration.isPresent();
    }

    /**
     * Decodes Lambda's {@code X-Amz-Log-Result} (base64 of the log's last 4 KB) and parses the last REPORT line in
     * it. Empty when the header is absent, not base64, or holds no REPORT line (the tail may have cut it off).
     */
    public static Optional<LambdaReport> fromLogResult(String logResultBase64) {
        return decodeLogTail(logResultBase64).flatMap(LambdaReport::parse);
    }

    /** The decoded log tail; empty when absent or not valid base64. */
    public static Optional<String> decodeLogTail(String logResultBase64) {
        if (logResultBase64 == null || logResultBase64.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(logResultBase64.strip()),
                    StandardCharsets.UTF_8));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** Parses the last report of a log text: a text REPORT line or a JSON {@code platform.report} record. */
    public static Optional<LambdaReport> parse(String log) {
        if (log == null) {
            return Optional.empty();
        }
        int start = log.lastIndexOf(MARK);
        int json = log.lastIndexOf(JSON_MARK);
        if (json > start) {
            return parseJson(log, json);
        }
        if (start < 0) {
            return Optional.empty();
        }
        int end = log.indexOf('\n', start);
        String line = end < 0 ? log.substring(start) : log.substring(start, end);
        Builder b = new Builder();
        for (String field : line.substring("REPORT ".length()).split("\t")) {
            int colon = field.indexOf(':');
            if (colon > 0) {
                b.field(field.substring(0, colon).strip(), field.substring(colon + 1).strip());
            }
        }
        return Optional.of(b.build());
    }

    /** The JSON record on the line around {@code mark}; empty when the line is cut off or not such a record. */
    private static Optional<LambdaReport> parseJson(String log, int mark) {
        int lineStart = log.lastIndexOf('\n', mark) + 1;
        int lineEnd = log.indexOf('\n', mark);
        String line = lineEnd < 0 ? log.substring(lineStart) : log.substring(lineStart, lineEnd);
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException notWhole) {
            return Optional.empty();
        }
        if (node == null || !"platform.report".equals(node.path("type").asText())) {
            return Optional.empty();
        }
        JsonNode record = node.path("record");
        JsonNode metrics = record.path("metrics");
        Builder b = new Builder();
        b.requestId = text(record.path("requestId"));
        b.duration = millis(metrics.path("durationMs"));
        b.billed = millis(metrics.path("billedDurationMs"));
        b.memorySize = megabytes(metrics.path("memorySizeMB"));
        b.maxMemory = megabytes(metrics.path("maxMemoryUsedMB"));
        b.init = millis(metrics.path("initDurationMs"));
        b.restore = millis(metrics.path("restoreDurationMs"));
        return Optional.of(b.build());
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : null;
    }

    private static Duration millis(JsonNode node) {
        if (!node.isNumber() || node.asDouble() < 0 || !Double.isFinite(node.asDouble())) {
            return null;
        }
        return Duration.ofNanos(Math.round(node.asDouble() * 1_000_000d));
    }

    private static Long megabytes(JsonNode node) {
        return node.isIntegralNumber() && node.asLong() >= 0 ? node.asLong() : null;
    }

    private static final class Builder {
        private String requestId;
        private Duration duration;
        private Duration billed;
        private Long memorySize;
        private Long maxMemory;
        private Duration init;
        private Duration restore;

        void field(String key, String value) {
            switch (key) {
                case "RequestId" -> requestId = value.isEmpty() ? null : value;
                case "Duration" -> duration = millis(value);
                case "Billed Duration" -> billed = millis(value);
                case "Memory Size" -> memorySize = megabytes(value);
                case "Max Memory Used" -> maxMemory = megabytes(value);
                case "Init Duration" -> init = millis(value);
                case "Restore Duration" -> restore = millis(value);
                default -> {
                    // Other fields (Billed Restore Duration, XRAY TraceId, ...) carry nothing we report.
                }
            }
        }

        LambdaReport build() {
            return new LambdaReport(Optional.ofNullable(requestId), Optional.ofNullable(duration),
                    Optional.ofNullable(billed), memorySize == null ? OptionalLong.empty() : OptionalLong.of(memorySize),
                    maxMemory == null ? OptionalLong.empty() : OptionalLong.of(maxMemory), Optional.ofNullable(init),
                    Optional.ofNullable(restore));
        }

        private static Duration millis(String value) {
            String number = stripUnit(value, "ms");
            if (number == null) {
                return null;
            }
            try {
                double ms = Double.parseDouble(number);
                if (ms < 0 || Double.isNaN(ms) || Double.isInfinite(ms)) {
                    return null;
                }
                return Duration.ofNanos(Math.round(ms * 1_000_000d));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static Long megabytes(String value) {
            String number = stripUnit(value, "MB");
            if (number == null) {
                return null;
            }
            try {
                long mb = Long.parseLong(number);
                return mb < 0 ? null : mb;
            } catch (NumberFormatException e) {
                return null;
            }
        }

        private static String stripUnit(String value, String unit) {
            if (!value.endsWith(unit)) {
                return null;
            }
            return value.substring(0, value.length() - unit.length()).strip();
        }
    }
}
