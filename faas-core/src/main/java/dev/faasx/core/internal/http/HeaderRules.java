package dev.faasx.core.internal.http;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the headers a user adds to every request. A header that could split a request (CR, LF), that the JDK
 * client manages itself, or that the executor sets from its own settings is refused at build time with a message
 * that says what to do instead, so nothing is overridden silently.
 */
public final class HeaderRules {
    /** RFC 9110 token characters. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");

    private static final Map<String, String> RESERVED = Map.of(
            "authorization", "set it through the executor's credentials (bearerToken(...) or the like) so that it is never logged",
            "content-type", "the executor sets it per request (application/zip or application/json)",
            "x-blueprint-config", "the executor builds it from the FaasConfig passed to deploy",
            "content-length", "the HTTP client computes it",
            "connection", "the HTTP client manages connections",
            "expect", "the HTTP client manages it",
            "host", "the HTTP client derives it from the URI",
            "upgrade", "the HTTP client manages protocol upgrades",
            "transfer-encoding", "the HTTP client manages it");

    private HeaderRules() {
    }

    /**
     * A builder-time check: throws {@link IllegalArgumentException} naming the header when it may not be sent as an
     * extra header.
     */
    public static void checkExtraHeader(String provider, String name, String value) {
        if (name == null || !TOKEN.matcher(name).matches()) {
            throw new IllegalArgumentException("header name " + quote(name) + " is not a valid HTTP token");
        }
        String reason = RESERVED.get(name.toLowerCase(Locale.ROOT));
        if (reason != null) {
            throw new IllegalArgumentException("header " + name + " cannot be set as an extra header: " + reason);
        }
        String problem = problem("header " + name, value);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    /**
     * A request-time check (of a value a supplier gave): throws {@link InvalidRequestException} when {@code value}
     * contains a character that may not be in a header.
     */
    public static void checkValue(String provider, String what, String value) {
        String problem = problem(what, value);
        if (problem != null) {
            throw new InvalidRequestException(problem, ErrorContext.of(provider));
        }
    }

    /** Whether {@code value} may be sent as a header value as it is. */
    public static boolean isValidValue(String value) {
        return problem("value", value) == null;
    }

    private static String problem(String what, String value) {
        if (value == null) {
            return what + " has no value";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return what + " contains a line break (CR or LF) at index " + i;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return what + " contains a control or non-Latin-1 character at index " + i;
            }
        }
        return null;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
