package dev.faasx.gcp.internal;

import java.util.regex.Pattern;

/**
 * Names functions {@code projects/{project}/locations/{region}/functions/{prefix}-job-{id}}. Cloud Functions allows
 * 1–63 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen; negative ids
 * are written {@code n<digits>}.
 */
public final class FunctionNames {
    private static final String JOB = "-job-";
    private static final int MAX_ID_LENGTH = 20;
    public static final int MAX_PREFIX_LENGTH = 63 - JOB.length() - MAX_ID_LENGTH;
    private static final Pattern PREFIX = Pattern.compile("[a-z][-a-z0-9]*");
    private static final Pattern PROJECT = Pattern.compile("[a-z][-a-z0-9.:]{4,62}");
    private static final Pattern REGION = Pattern.compile("[a-z]+(-[a-z0-9]+)+|[a-z]+[0-9]+");

    private final String prefix;
    private final String location;

    public FunctionNames(String prefix, String project, String region) {
        if (prefix == null || prefix.isEmpty() || prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("function name prefix " + (prefix == null ? "null" : "'" + prefix + "'")
                    + " is invalid: use 1-" + MAX_PREFIX_LENGTH + " lower-case letters, digits or '-', starting"
                    + " with a letter");
        }
        if (!PROJECT.matcher(project).matches()) {
            throw new IllegalArgumentException("project id '" + project + "' is not a Google Cloud project id");
        }
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("region '" + region + "' is not a Google Cloud region such as"
                    + " europe-west1");
        }
        this.prefix = prefix;
        this.location = "projects/" + project + "/locations/" + region;
    }

    /** {@code projects/{project}/locations/{region}}. */
    public String location() {
        return location;
    }

    /** The short function id for {@code jobId}. */
    public String functionId(long jobId) {
        return prefix + JOB + label(jobId);
    }

    /** The full resource name for {@code jobId}. */
    public String functionName(long jobId) {
        return location + "/functions/" + functionId(jobId);
    }

    /** The job id as a label value (and name suffix): digits, or {@code n<digits>} for negative ids. */
    public static String label(long jobId) {
        return jobId < 0 ? "n" + Long.toString(jobId).substring(1) : Long.toString(jobId);
    }
}
