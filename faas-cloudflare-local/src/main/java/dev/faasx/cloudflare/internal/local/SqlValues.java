package dev.faasx.cloudflare.internal.local;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Values of the local SQL engine: strings, doubles and date-times (UTC, whole seconds), and their comparison. */
final class SqlValues {
    static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private SqlValues() {
    }

    static Instant toInstant(Object value) throws SqlParser.SqlException {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Double d) {
            return Instant.ofEpochSecond(d.longValue());
        }
        String s = String.valueOf(value).strip();
        if (s.matches("\\d+")) {
            return Instant.ofEpochSecond(Long.parseLong(s));
        }
        try {
            return LocalDateTime.parse(s, DATE_TIME).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new SqlParser.SqlException("cannot read '" + s + "' as a DateTime ('YYYY-MM-DD hh:mm:ss' or a "
                    + "unix timestamp)");
        }
    }

    static String format(Instant instant) {
        return DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
    }

    static int compare(Object a, Object b) throws SqlParser.SqlException {
        if (a instanceof Instant || b instanceof Instant) {
            return toInstant(a).compareTo(toInstant(b));
        }
        if (a instanceof Double x && b instanceof Double y) {
            return Double.compare(x, y);
        }
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y);
        }
        throw new SqlParser.SqlException("cannot compare " + typeOf(a) + " with " + typeOf(b));
    }

    static String typeOf(Object v) {
        if (v instanceof Instant) {
            return "DateTime";
        }
        return v instanceof Double ? "Float64" : "String";
    }
}
