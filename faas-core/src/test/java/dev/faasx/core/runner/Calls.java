package dev.faasx.core.runner;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.JobResult;
import java.util.HashMap;
import java.util.Map;

/** Small helpers to make calls and read results. */
final class Calls {
    private Calls() {
    }

    static JobCall call(long jobId, String callId, String body) {
        return JobCall.builder(jobId).callId(callId).body(body.getBytes(UTF_8)).build();
    }

    static String text(JobResult result) {
        return new String(((JobResult.Success) result).body(), UTF_8);
    }

    /** Answers "local:" + body, with the call's metadata plus {@code ran-on=local}. */
    static final JobHandler LOCAL_ECHO = call -> {
        Map<String, String> metadata = new HashMap<>(call.metadata());
        metadata.put("ran-on", "local");
        return JobOutput.of(("local:" + new String(call.body(), UTF_8)).getBytes(UTF_8), metadata);
    };

    /** Blocks until interrupted; records that it was. */
    static JobHandler blockUntilInterrupted(java.util.concurrent.atomic.AtomicInteger started,
                                            java.util.concurrent.atomic.AtomicInteger interrupted) {
        return call -> {
            started.incrementAndGet();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return JobOutput.empty();
        };
    }
}
