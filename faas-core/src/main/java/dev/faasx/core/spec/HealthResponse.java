package dev.faasx.core.spec;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@code GET /api/functions/{id}/health} answers: 200
 * {@code {"function_id","status":"healthy","last_invocation","total_invocations"}} or 503
 * {@code {"function_id","status":"unhealthy","error"}} (spec v1). {@code last_invocation} is an RFC 3339 time or
 * {@code null} before the first call.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * HealthResponse ok = HealthResponse.healthy("job7", Optional.of(lastCall), 1523);
 * HealthResponse down = HealthResponse.unhealthy("job7", "bootstrap exits with status 127 on start");
 * }</pre>
 *
 * @param functionId       the function's id (a v1 unhealthy answer may leave it out)
 * @param status           {@value #HEALTHY} or {@value #UNHEALTHY}
 * @param lastInvocation   when the function was last invoked, when it has been
 * @param totalInvocations how often it has been invoked, when reported
 * @param error            why it is unhealthy
 */
public record HealthResponse(Optional<String> functionId, String status, Optional<Instant> lastInvocation,
                             OptionalLong totalInvocations, Optional<String> error) {

    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";

    public HealthResponse {
        functionId = functionId == null ? Optional.empty() : functionId;
        Objects.requireNonNull(status, "status");
        lastInvocation = lastInvocation == null ? Optional.empty() : lastInvocation;
        totalInvocations = totalInvocations == null ? OptionalLong.empty() : totalInvocations;
        error = error == null ? Optional.empty() : error;
    }

    public static HealthResponse healthy(String functionId, Optional<Instant> lastInvocation, long totalInvocations) {
        return new HealthResponse(Optional.of(functionId), HEALTHY, lastInvocation,
                OptionalLong.of(totalInvocations), Optional.empty());
    }

    public static HealthResponse unhealthy(String functionId, String error) {
        return new HealthResponse(Optional.of(functionId), UNHEALTHY, Optional.empty(), OptionalLong.empty(),
                Optional.of(error));
    }

    /** Whether the status is {@value #HEALTHY}. */
    public boolean isHealthy() {
        return HEALTHY.equals(status);
    }
}
