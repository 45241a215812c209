package dev.faasx.core;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a health check.
 *
 * @param healthy whether the function is deployed and able to run
 * @param detail  the platform's own words, for example why it is unhealthy
 */
public record FaasHealth(boolean healthy, Optional<String> detail) {
    public FaasHealth {
        Objects.requireNonNull(detail, "detail");
    }

    public static FaasHealth ok() {
        return new FaasHealth(true, Optional.empty());
    }

    public static FaasHealth failing(String detail) {
        return new FaasHealth(false, Optional.of(detail));
    }
}
