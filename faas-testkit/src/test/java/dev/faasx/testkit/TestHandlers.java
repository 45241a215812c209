package dev.faasx.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;

/** Small handlers for the in-memory executor's own tests. */
public final class TestHandlers {
    private TestHandlers() {
    }

    /** Answers the name of the thread context class loader it runs under. */
    public static final class ContextLoaderName implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(String.valueOf(Thread.currentThread().getContextClassLoader().getName())
                    .getBytes(UTF_8));
        }
    }

    /** Breaks the JobHandler contract by answering null. */
    public static final class ReturnsNull implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            return null;
        }
    }

    /** Cannot be created, like a function whose initialisation fails. */
    public static final class FailsToStart implements JobHandler {
        public FailsToStart() {
            throw new IllegalStateException("no database configured");
        }

        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.empty();
        }
    }

    /** Has no public no-argument constructor. */
    public static final class NeedsArgument implements JobHandler {
        public NeedsArgument(String unused) {
        }

        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.empty();
        }
    }

    /** Not a handler at all. */
    public static final class NotAHandler {
    }
}
