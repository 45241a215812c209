package dev.faasx.examples.jobs;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Upper-cases a UTF-8 text. */
public final class Shout implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        String text = new String(call.body(), StandardCharsets.UTF_8);
        return JobOutput.of(text.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }
}
