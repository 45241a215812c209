package dev.faasx.digitalocean.local.internal;

/**
 * OpenWhisk's error messages, worded as the platform words them, so that clients that match on them (the CLI
 * prints them verbatim) see the same text.
 */
final class OwErrors {
    static final String NOT_FOUND = "The requested resource does not exist.";
    static final String UNAUTHENTICATED = "The supplied authentication is invalid.";
    static final String FORBIDDEN = "The supplied authentication is not authorized to access this resource.";
    static final String EXISTS = "resource already exists";
    static final String ABNORMAL_INIT = "The action did not initialize and exited unexpectedly.";
    static final String ABNORMAL_RUN = "The action did not produce a valid response and exited unexpectedly.";
    static final String MALFORMED = "The request content was malformed:\n";
    static final String ACTIVATION_ID_ILLEGAL = "The activation id is not valid.";

    private OwErrors() {
    }

    static String tooManyRequests(int count, int allowed) {
        return "Too many requests in the last minute (count: " + count + ", allowed: " + allowed + ").";
    }

    static String tooManyConcurrent(int count, int allowed) {
        return "Too many concurrent requests in flight (count: " + count + ", allowed: " + allowed + ").";
    }

    static String timedOut(long timeoutMs, boolean init) {
        return "The action exceeded its time limits of " + timeoutMs + " milliseconds"
                + (init ? " during initialization." : ".");
    }

    static String truncatedResponse(long length, long max) {
        return "The action produced a response that exceeded the allowed length: " + length + " > " + max
                + " bytes.";
    }

    static String entityTooBig(String field, long size, long allowed) {
        return field + " larger than allowed: " + size + " > " + allowed + " bytes.";
    }

    static String truncatedLogs(long limit) {
        return "Logs were truncated because the total bytes size exceeds the limit of " + limit + " bytes.";
    }

    static String invalidRuntime(String kind, String kinds) {
        return "The specified runtime '" + kind + "' is not supported by this platform. Valid values are: " + kinds
                + ".";
    }
}
