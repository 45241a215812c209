package dev.faasx.examples.jobs;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Counts the words of a UTF-8 text and answers the count. Fails, as a real job would, on input that is not
 * text: a body containing a NUL byte.
 */
public final class WordCount implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        String text = new String(call.body(), StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("input is not text: it contains a NUL byte");
        }
        String trimmed = text.strip();
        int words = trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
        return JobOutput.of(Integer.toString(words).getBytes(StandardCharsets.US_ASCII),
                Map.of("words", Integer.toString(words), "echo-of", call.metadata().getOrDefault("doc", "?")));
    }
}
