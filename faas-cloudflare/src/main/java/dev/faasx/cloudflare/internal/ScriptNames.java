package dev.faasx.cloudflare.internal;

import java.util.regex.Pattern;

/**
 * Script names for job ids: {@code <prefix><id>}, with {@code n} before the digits of a negative id
 * ({@code faasx-job-7}, {@code faasx-job-n7}). Names stay within Cloudflare's rules: lower-case letters, digits,
 * '-' and '_', at most 63 characters (a workers.dev host name label).
 */
public final class ScriptNames {
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,42}");

    private final String prefix;

    public ScriptNames(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("scriptNamePrefix must be lower-case letters, digits, '-' or '_' "
                    + "(at most 43, not starting with '-'), was '" + prefix + "'");
        }
        this.prefix = prefix;
    }

    public String of(long jobId) {
        return prefix + (jobId < 0 ? "n" + Long.toString(jobId).substring(1) : Long.toString(jobId));
    }
}
