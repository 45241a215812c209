package dev.faasx.azure.support;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;

import java.nio.charset.StandardCharsets;

/** Handlers deployed by the executor's tests. */
public final class TestHandlers {
    private TestHandlers() {
    }

    /** Answers the value of the environment variable the body names, or "(unset)". */
    public static final class EnvReader implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            String value = System.getenv(new String(call.body(), StandardCharsets.UTF_8));
            return JobOutput.of((value == null ? "(unset)" : value).getBytes(StandardCharsets.UTF_8));
        }
    }
}
