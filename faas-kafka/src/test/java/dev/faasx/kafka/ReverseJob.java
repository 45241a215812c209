package dev.faasx.kafka;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.util.Map;

/** A job deployed to the in-memory platform: returns its input reversed, and says which call it saw. */
public final class ReverseJob implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        byte[] in = call.body();
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
        }
        return JobOutput.of(out, Map.of("seen-call-id", call.callId()));
    }
}
