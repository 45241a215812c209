package dev.faasx.digitalocean;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * An OpenWhisk activation record as DigitalOcean Functions keeps it: the provider's own account of one invocation.
 * {@link DigitalOceanFunctionsExecutor#activation(String)} reads one; the executor's invocation metrics are taken from
 * the same record.
 *
 * @param activationId the activation's id (also the invocation's request id)
 * @param status       OpenWhisk's word for the outcome: {@code success}, {@code application error},
 *                     {@code action developer error} or {@code whisk internal error}
 * @param statusCode   the same as a number: 0, 1, 2 or 3
 * @param start        when the activation started (for a cold start: when its initialisation started)
 * @param end          when it ended
 * @param duration     {@code end - start} as the platform reports it; includes {@code initTime} on a cold start
 * @param initTime     how long initialising a new instance took; present exactly on cold starts
 * @param waitTime     how long the activation waited before it started (queueing, instance start)
 * @param memoryMb     the memory limit it ran with
 * @param timedOut     whether it was ended for exceeding its time limit
 * @param resultJson   its result, as JSON text
 * @param logs         its log lines, when the record carried them
 */
public record Activation(String activationId, String status, int statusCode, Instant start, Instant end,
                         Duration duration, Optional<Duration> initTime, Optional<Duration> waitTime,
                         OptionalLong memoryMb, boolean timedOut, String resultJson, List<String> logs) {
    public Activation {
        Objects.requireNonNull(activationId, "activationId");
        Objects.requireNonNull(status, "status");
        initTime = initTime == null ? Optional.empty() : initTime;
        waitTime = waitTime == null ? Optional.empty() : waitTime;
        memoryMb = memoryMb == null ? OptionalLong.empty() : memoryMb;
        logs = List.copyOf(logs);
    }

    /** Whether the platform says the activation succeeded. */
    public boolean succeeded() {
        return statusCode == 0;
    }

    /** Whether a new instance was initialised for it: the platform reports {@code initTime} exactly then. */
    public boolean coldStart() {
        return initTime.isPresent();
    }
}
