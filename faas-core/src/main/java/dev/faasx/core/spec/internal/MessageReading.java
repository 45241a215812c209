package dev.faasx.core.spec.internal;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.ProtocolException;
import java.io.IOException;

/**
 * The state of decoding one message, so that every problem becomes a {@link ProtocolException} naming the message,
 * the field being read and, once read, the job id. Jackson's own exceptions never leave the codec.
 */
final class MessageReading {
    private static final int MAX_DETAIL = 160;

    private final String what;
    private final boolean mayHaveRun;
    private final ErrorContext context;
    private String field;
    private Long jobId;
    private int seen;
    private boolean objectClosed;

    MessageReading(String what, boolean mayHaveRun, ErrorContext context) {
        this.what = what;
        this.mayHaveRun = mayHaveRun;
        this.context = context;
    }

    /** Marks {@code name} as the field being read; {@code bit} detects a repeated field. */
    void enter(String name, int bit) {
        field = name;
        if (bit != 0) {
            if ((seen & bit) != 0) {
                throw fail("field " + name + " appears more than once");
            }
            seen |= bit;
        }
    }

    void leave() {
        field = null;
    }

    /** The message's object has been read completely; anything after it is trailing content. */
    void objectClosed() {
        objectClosed = true;
    }

    void jobId(long value) {
        jobId = value;
    }

    ProtocolException fail(String problem) {
        return fail(problem, null);
    }

    private ProtocolException fail(String problem, Throwable cause) {
        ErrorContext ctx = jobId == null || context.jobId().isPresent() ? context
                : context.toBuilder().jobId(jobId).build();
        return new ProtocolException(what + ": " + problem, mayHaveRun, ctx, cause);
    }

    /** The value of the current field has the wrong type. */
    ProtocolException wrongType(String expected, JsonToken found) {
        return fail(field + " must be " + expected + ", was " + describe(found));
    }

    /** Maps an exception Jackson threw while reading to a {@link ProtocolException}. */
    ProtocolException malformed(IOException e) {
        String where = field == null ? "" : " in field " + field;
        if (e instanceof JsonEOFException || endedEarly(e)) {
            return fail("truncated JSON: the input ends before the message is complete" + where);
        }
        if (e instanceof StreamConstraintsException c) {
            return fail("JSON exceeds a processing limit" + where + ": " + shorten(c.getOriginalMessage()));
        }
        if (e instanceof JsonParseException p && objectClosed) {
            return fail("unexpected content after the JSON object" + location(p.getLocation()));
        }
        if (e instanceof JsonParseException p) {
            return fail("malformed JSON" + location(p.getLocation()) + where + ": "
                    + shorten(p.getOriginalMessage()));
        }
        if (e instanceof JsonProcessingException p) {
            return fail("invalid JSON" + where + ": " + shorten(p.getOriginalMessage()));
        }
        return fail("cannot read the message" + where + ": " + e.getClass().getSimpleName(), e);
    }

    /** Jackson reports some truncations (for example right after a comma) without a {@link JsonEOFException}. */
    private static boolean endedEarly(IOException e) {
        return e instanceof JsonProcessingException p && p.getOriginalMessage() != null
                && p.getOriginalMessage().startsWith("Unexpected end-of-input");
    }

    static String describe(JsonToken token) {
        if (token == null) {
            return "missing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name() : token.asString();
        };
    }

    private static String location(JsonLocation location) {
        if (location == null || location.getLineNr() < 0) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    static String shorten(String message) {
        if (message == null) {
            return "no detail";
        }
        String oneLine = message.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_DETAIL ? oneLine : oneLine.substring(0, MAX_DETAIL) + "...";
    }
}
