package dev.faasx.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack trace a Java function reported with its error ({@code stackTrace} of Lambda's error object, as AWS's
 * runtime interface client writes it), carried as the cause of the {@code FunctionErrorException}, so that logs and
 * debuggers show where the job failed inside the function. Frames that are not in Java's
 * {@code class.method(File.java:line)} form are left out.
 */
public final class FunctionStackTrace extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int MAX_FRAMES = 100;
    private static final Pattern FRAME = Pattern.compile(
            "(?:[\\w.$/-]+/)?([\\w.$]+)\\.([\\w$<>]+)\\(([^():]*)(?::(\\d+))?\\)");

    private FunctionStackTrace(String message, StackTraceElement[] frames) {
        super(message, null, false, true);
        setStackTrace(frames);
    }

    /** The reported trace, or {@code null} when the error object has none that reads as Java frames. */
    static FunctionStackTrace of(String errorType, String errorMessage, JsonNode stackTrace) {
        if (stackTrace == null || !stackTrace.isArray() || stackTrace.isEmpty()) {
            return null;
        }
        List<StackTraceElement> frames = new ArrayList<>();
        for (JsonNode line : stackTrace) {
            if (frames.size() == MAX_FRAMES) {
                break;
            }
            Matcher m = FRAME.matcher(line.asText().strip());
            if (m.matches()) {
                String file = m.group(3).isEmpty() || m.group(3).equals("Native Method") ? null : m.group(3);
                int number = m.group(4) == null ? (m.group(3).equals("Native Method") ? -2 : -1)
                        : Integer.parseInt(m.group(4));
                frames.add(new StackTraceElement(m.group(1), m.group(2), file, number));
            }
        }
        if (frames.isEmpty()) {
            return null;
        }
        return new FunctionStackTrace(errorType + ": " + errorMessage + " (in the function)",
                frames.toArray(StackTraceElement[]::new));
    }
}
