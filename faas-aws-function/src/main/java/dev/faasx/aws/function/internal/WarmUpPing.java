package dev.faasx.aws.function.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The warm-up message {@code LambdaExecutor.warm} sends to a function without provisioned concurrency: Lambda starts
 * (or reuses) an execution environment for it, and the adapters answer it at once without running the job. The
 * executor keeps its own copy of these bytes (it does not depend on this module); a test of the executor checks
 * that this adapter recognises what it sends.
 */
public final class WarmUpPing {
    private static final byte[] PING = "{\"faasx_warmup\":true}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PONG = "{\"faasx_warmup\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private WarmUpPing() {
    }

    /** The answer to the ping. */
    public static byte[] pong() {
        return PONG.clone();
    }

    /** Whether {@code payload} is the ping (and not a job's request). */
    public static boolean isPing(byte[] payload) {
        if (payload == null || payload.length < PING.length || payload.length > PING.length + 8) {
            return false;
        }
        return Arrays.equals(new String(payload, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8),
                PING);
    }
}
