package dev.faasx.aws.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The message {@code LambdaExecutor.warm} sends to a function that has no provisioned concurrency: Lambda starts (or
 * reuses) an execution environment for it, and the faasx adapters answer it at once without calling the job's
 * handler, so the environment is initialised but no job runs.
 */
public final class WarmUpPing {
    private static final byte[] PING = "{\"faasx_warmup\":true}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] PONG = "{\"faasx_warmup\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private WarmUpPing() {
    }

    public static byte[] ping() {
        return PING.clone();
    }

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
