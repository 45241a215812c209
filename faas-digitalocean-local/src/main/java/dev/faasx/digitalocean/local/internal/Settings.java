package dev.faasx.digitalocean.local.internal;

import java.time.Duration;
import java.util.List;

/**
 * The emulator's limits and behaviour, defaulting to DigitalOcean Functions' published limits.
 *
 * @param tokens              API tokens the namespaces API accepts (Bearer)
 * @param regions             regions a namespace may be created in
 * @param namespaceLimit      namespaces per account
 * @param invocationsPerMinute invocations per namespace in any minute before 429
 * @param concurrentInvocations activations in flight per namespace before 429
 * @param blockingCutoff      how long a blocking invocation waits before it is answered 202 + activation id
 * @param payloadLimitBytes   largest invocation body (the parameters) and largest result
 * @param codeLimitBytes      largest action code
 * @param minTimeoutMs        smallest action timeout
 * @param maxTimeoutMs        largest action timeout
 * @param minMemoryMb         smallest action memory
 * @param maxMemoryMb         largest action memory
 * @param keepWarm            how long an idle instance stays warm
 */
public record Settings(List<String> tokens, List<String> regions, int namespaceLimit, int invocationsPerMinute,
                       int concurrentInvocations, Duration blockingCutoff, long payloadLimitBytes,
                       long codeLimitBytes, long minTimeoutMs, long maxTimeoutMs, int minMemoryMb, int maxMemoryMb,
                       Duration keepWarm) {
    public static final List<String> REGIONS = List.of("ams3", "blr1", "fra1", "lon1", "nyc1", "sfo3", "sgp1",
            "syd1", "tor1");

    public Settings {
        tokens = List.copyOf(tokens);
        regions = List.copyOf(regions);
    }
}
