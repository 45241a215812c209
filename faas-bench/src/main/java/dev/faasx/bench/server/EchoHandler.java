package dev.faasx.bench.server;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;

/** The Java function of the load harness: a JobHandler that answers with the bytes it was given. */
public final class EchoHandler implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        return JobOutput.of(call.body());
    }
}
