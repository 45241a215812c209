package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Typed, validated access to the fields of one JSON object. A field that is absent or {@code null} is empty; a
 * field of the wrong type or out of range throws a {@link Problem} whose message names it.
 */
public final class TreeFields {
    private final JsonNode object;

    public TreeFields(JsonNode object) {
        this.object = object;
    }

    /** A field that breaks the contract; the message starts with the field's name. */
    public static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }

    private Optional<JsonNode> get(String field) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    public Optional<String> optString(String field) {
        return get(field).map(n -> {
            if (!n.isTextual()) {
                throw wrongType(field, "a string", n);
            }
            return n.textValue();
        });
    }

    public String string(String field) {
        return optString(field).orElseThrow(() -> new Problem(field + " is required"));
    }

    /** An integer that fits in a {@code long}. */
    public OptionalLong optInteger(String field) {
        Optional<JsonNode> node = get(field);
        if (node.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode n = node.get();
        if (!n.isIntegralNumber()) {
            throw wrongType(field, "an integer", n);
        }
        if (!n.canConvertToLong()) {
            throw new Problem(field + " is far out of range: " + MessageReading.shorten(n.asText()));
        }
        return OptionalLong.of(n.longValue());
    }

    /** An integer, which must lie in {@code [min, max]}. */
    public OptionalLong optLong(String field, long min, long max) {
        Optional<JsonNode> node = get(field);
        if (node.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode n = node.get();
        if (!n.isIntegralNumber()) {
            throw wrongType(field, "an integer", n);
        }
        if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw new Problem(field + " must be between " + min + " and " + max + ", was " + n.asText());
        }
        return OptionalLong.of(n.longValue());
    }

    public long requiredLong(String field, long min, long max) {
        OptionalLong value = optLong(field, min, max);
        if (value.isEmpty()) {
            throw new Problem(field + " is required");
        }
        return value.getAsLong();
    }

    /** A non-negative number of milliseconds; decimals are kept to the nanosecond. */
    public Optional<Duration> optMillis(String field) {
        return get(field).map(n -> {
            if (!n.isNumber()) {
                throw wrongType(field, "a number of milliseconds", n);
            }
            if (n.isIntegralNumber() && n.canConvertToLong() && n.longValue() >= 0) {
                return Duration.ofMillis(n.longValue());
            }
            double ms = n.doubleValue();
            if (!n.isIntegralNumber() && ms >= 0 && ms < 9.0e12) {
                return Duration.ofNanos(Math.round(ms * 1_000_000d));
            }
            throw new Problem(field + " must be a non-negative number of milliseconds, was " + n.asText());
        });
    }

    public Optional<Duration> optSeconds(String field) {
        OptionalLong seconds = optLong(field, 0, Long.MAX_VALUE / 1_000_000_000L);
        return seconds.isPresent() ? Optional.of(Duration.ofSeconds(seconds.getAsLong())) : Optional.empty();
    }

    /** An RFC 3339 time such as {@code 2024-10-13T12:34:56Z}. */
    public Optional<Instant> optInstant(String field) {
        return optString(field).map(s -> {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (DateTimeParseException e) {
                throw new Problem(field + " must be an RFC 3339 time such as 2024-10-13T12:34:56Z, was \""
                        + MessageReading.shorten(s) + "\"");
            }
        });
    }

    public Optional<URI> optUri(String field) {
        return optString(field).map(s -> {
            try {
                return new URI(s);
            } catch (URISyntaxException e) {
                throw new Problem(field + " must be a URI: " + MessageReading.shorten(e.getMessage()));
            }
        });
    }

    /** An object of any values, each kept as a string: text as itself, anything else as compact JSON. */
    public Map<String, String> textMap(String field) {
        Optional<JsonNode> node = get(field);
        if (node.isEmpty()) {
            return new LinkedHashMap<>();
        }
        if (!node.get().isObject()) {
            throw wrongType(field, "an object", node.get());
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.get().properties()) {
            if (!e.getValue().isNull()) {
                map.put(e.getKey(), asText(e.getValue()));
            }
        }
        return map;
    }

    /** The value of {@code field} as text, whatever its JSON type; empty when absent or null. */
    public Optional<String> optText(String field) {
        return get(field).map(TreeFields::asText);
    }

    private static String asText(JsonNode n) {
        return n.isTextual() ? n.textValue() : n.toString();
    }

    public static Problem wrongType(String field, String expected, JsonNode found) {
        return new Problem(field + " must be " + expected + ", was " + describe(found));
    }

    public static String describe(JsonNode n) {
        return switch (n.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> n.isIntegralNumber() ? "an integer" : "a decimal number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary data";
        };
    }
}
