package dev.faasx.azure.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names of the Azure resources a job uses. Function app names are global across Azure (they become
 * {@code {name}.azurewebsites.net}), so the default prefix carries a short hash of the subscription and resource
 * group: two executors in different groups never pick the same name for the same job.
 */
public final class AppNames {
    /** The one function in every app, called at {@code /api/job}. */
    public static final String FUNCTION = "job";
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?");

    private AppNames() {
    }

    /** The default prefix: {@code faasx-} and 8 hex digits of a hash of subscription and resource group. */
    public static String defaultPrefix(String subscription, String resourceGroup) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((subscription.toLowerCase() + "/"
                    + resourceGroup.toLowerCase()).getBytes(StandardCharsets.UTF_8));
            return "faasx-" + HexFormat.of().formatHex(hash, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @throws IllegalArgumentException when the prefix cannot start an app name */
    public static String checkPrefix(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("appNamePrefix must be 1 to 32 lower-case letters, digits and hyphens,"
                    + " not starting or ending with a hyphen, was '" + prefix + "'");
        }
        return prefix;
    }

    /** The app of {@code jobId}: {@code prefix-<jobId>} ({@code prefix-n<abs>} for negative ids); at most 54 chars. */
    public static String app(String prefix, long jobId) {
        return prefix + "-" + (jobId < 0 ? "n" + Long.toUnsignedString(-jobId) : Long.toString(jobId));
    }

    /** The App Service plan the executor's apps share. */
    public static String plan(String prefix) {
        return prefix + "-plan";
    }
}
