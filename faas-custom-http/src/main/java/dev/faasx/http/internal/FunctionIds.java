package dev.faasx.http.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.Pattern;

/**
 * Maps job ids to function ids: an explicit id per job first, then the mapping function (by default
 * {@code job{id}}). Every id is checked against the spec's pattern before it goes into a URL, so a bad mapping
 * fails with a clear error instead of producing a request to an unintended path.
 */
public final class FunctionIds {
    /** The spec's function id pattern. */
    public static final Pattern PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,62}");

    private final Map<Long, String> explicit;
    private final LongFunction<String> mapping;
    private final String provider;

    public FunctionIds(Map<Long, String> explicit, LongFunction<String> mapping, String provider) {
        this.explicit = Map.copyOf(explicit);
        this.mapping = mapping;
        this.provider = provider;
    }

    /** The default mapping: {@code job7}, {@code job-3} for negative ids. */
    public static String defaultId(long jobId) {
        return "job" + jobId;
    }

    /**
     * The function id for {@code jobId}.
     *
     * @throws InvalidRequestException when the mapping gives no id or one the spec does not allow
     */
    public String forJob(long jobId) {
        String id = explicit.get(jobId);
        if (id == null) {
            try {
                id = mapping.apply(jobId);
            } catch (RuntimeException e) {
                throw new InvalidRequestException("the function id mapping failed for job " + jobId + ": " + e,
                        List.of("function id mapping failed"), ErrorContext.of(provider, jobId), e);
            }
        }
        check(id, ErrorContext.of(provider, jobId));
        return id;
    }

    /** Throws {@link InvalidRequestException} when {@code id} is not a valid function id. */
    public static void check(String id, ErrorContext context) {
        if (id == null || !PATTERN.matcher(id).matches()) {
            throw new InvalidRequestException("function id " + (id == null ? "null" : "'" + id + "'")
                    + " is invalid: use 1-63 ASCII letters, digits, '_' or '-', starting with a letter or digit",
                    context);
        }
    }
}
