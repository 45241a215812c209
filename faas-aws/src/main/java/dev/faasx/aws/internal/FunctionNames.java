package dev.faasx.aws.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import java.util.regex.Pattern;

/**
 * Names Lambda functions {@code {prefix}-job-{id}}. Lambda allows 1–64 characters of letters, digits, hyphens and
 * underscores for a bare function name; the prefix is checked once so that every job id (up to 20 characters)
 * yields a valid, distinct name. Negative ids are written {@code n<digits>} so they never collide with positive ones.
 */
public final class FunctionNames {
    /** The longest bare function name Lambda accepts. */
    public static final int MAX_NAME_LENGTH = 64;
    private static final String JOB = "-job-";
    /** Long.MIN_VALUE written as {@code n9223372036854775808} is the longest id: 20 characters. */
    private static final int MAX_ID_LENGTH = 20;
    public static final int MAX_PREFIX_LENGTH = MAX_NAME_LENGTH - JOB.length() - MAX_ID_LENGTH;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_NAME_LENGTH + "}");

    private final String prefix;

    public FunctionNames(String prefix, String provider) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH
                || !NAME.matcher(prefix).matches()) {
            throw new InvalidRequestException("function name prefix " + (prefix == null ? "null" : "'" + prefix + "'")
                    + " is invalid: use 1-" + MAX_PREFIX_LENGTH
                    + " letters, digits, '-' or '_' so that '{prefix}-job-{id}' fits Lambda's 64-character limit",
                    ErrorContext.of(provider));
        }
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }

    /** The function name for {@code jobId}; always a valid Lambda function name. */
    public String functionName(long jobId) {
        String id = jobId < 0 ? "n" + Long.toString(jobId).substring(1) : Long.toString(jobId);
        return prefix + JOB + id;
    }

    /** Whether {@code name} is a valid bare Lambda function name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }
}
