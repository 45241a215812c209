package dev.faasx.bench.gcp;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;

/** The benchmark's job: answers its input. */
public final class EchoJob implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        return JobOutput.of(call.body(), call.metadata());
    }
}
