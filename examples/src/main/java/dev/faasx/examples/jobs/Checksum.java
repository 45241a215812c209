package dev.faasx.examples.jobs;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/** SHA-256 of the body, as lowercase hex. Cheap enough to run in the host process. */
public final class Checksum implements JobHandler {
    @Override
    public JobOutput handle(JobCall call) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(call.body());
        return JobOutput.of(HexFormat.of().formatHex(digest).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                Map.of("algorithm", "SHA-256"));
    }
}
