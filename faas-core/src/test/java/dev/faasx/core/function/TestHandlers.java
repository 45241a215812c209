package dev.faasx.core.function;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.util.LinkedHashMap;
import java.util.Map;

/** Handlers that {@link FunctionMain} loads by name in the tests. */
public final class TestHandlers {
    private TestHandlers() {
    }

    /** Echoes the body; returns the request metadata plus what the handler saw of the call. */
    public static final class Echo implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            Map<String, String> metadata = new LinkedHashMap<>(call.metadata());
            metadata.put("seen-call-id", call.callId());
            metadata.put("seen-job-id", Long.toString(call.jobId()));
            return JobOutput.of(call.body(), metadata);
        }
    }

    /** Prints to System.out, including text that looks like a response, then echoes. */
    public static final class Chatty implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            System.out.println("chatty handler says hello");
            System.out.println("{\"job_id\":999,\"result\":[],\"success\":true}");
            System.out.flush();
            return JobOutput.of(call.body());
        }
    }

    /** Always fails with an IllegalStateException. */
    public static final class Failing implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            throw new IllegalStateException("cannot resize: " + new String(call.body(), UTF_8));
        }
    }

    /** Not a handler at all. */
    public static final class NotAHandler {
    }

    /** A handler whose constructor fails. */
    public static final class BrokenConstructor implements JobHandler {
        public BrokenConstructor() {
            throw new IllegalStateException("missing configuration");
        }

        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.empty();
        }
    }
}
