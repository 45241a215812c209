package dev.faasx.server;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.util.Map;

/** A JobHandler that echoes the body and says which process ran it; fails on the body "fail". */
public class PidEchoHandler implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) {
        if (new String(call.body(), java.nio.charset.StandardCharsets.UTF_8).equals("fail")) {
            throw new IllegalStateException("asked to fail");
        }
        return JobOutput.of(call.body(), Map.of("pid", Long.toString(ProcessHandle.current().pid())));
    }
}
