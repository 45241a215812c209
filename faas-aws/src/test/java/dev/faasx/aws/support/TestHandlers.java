package dev.faasx.aws.support;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.nio.charset.StandardCharsets;

/** Small job handlers the Lambda tests deploy. Each is public with a public no-argument constructor. */
public final class TestHandlers {
    private TestHandlers() {
    }

    /** Answers the body upper-cased, with a metadata entry of its own. */
    public static final class Upper implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            String text = new String(call.body(), StandardCharsets.UTF_8).toUpperCase(java.util.Locale.ROOT);
            return JobOutput.of(text.getBytes(StandardCharsets.UTF_8), java.util.Map.of("handler", "upper"));
        }
    }

    /** Always fails with an IllegalStateException whose message is the body. */
    public static final class Failing implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            throw new IllegalStateException(new String(call.body(), StandardCharsets.UTF_8));
        }
    }

    /** Cannot be created: its constructor throws, so the environment fails to initialise. */
    public static final class BrokenConstructor implements JobHandler {
        public BrokenConstructor() {
            throw new IllegalStateException("configuration missing");
        }

        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(call.body());
        }
    }

    /** Takes {@code INIT_SLEEP_MS} milliseconds to be created (a slow init), then answers the body unchanged. */
    public static final class SlowInit implements JobHandler {
        public SlowInit() throws InterruptedException {
            Thread.sleep(Long.parseLong(System.getenv().getOrDefault("INIT_SLEEP_MS", "0")));
        }

        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(call.body());
        }
    }

    /** Answers more than Lambda's 6 MB response limit. */
    public static final class Oversized implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(new byte[7 * 1024 * 1024]);
        }
    }
}
