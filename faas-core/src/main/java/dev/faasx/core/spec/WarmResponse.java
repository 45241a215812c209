package dev.faasx.core.spec;

import java.util.Objects;

/**
 * What {@code POST /api/functions/{id}/warm} answers: {@code {"function_id","status":"warm","instances_warmed":N}}
 * (spec v1). Immutable and thread-safe.
 *
 * <pre>{@code
 * WarmResponse warmed = WarmResponse.of("job7", 3);
 * }</pre>
 *
 * @param functionId      the function's id
 * @param status          {@value #WARM} for spec servers
 * @param instancesWarmed how many instances are started and waiting
 */
public record WarmResponse(String functionId, String status, int instancesWarmed) {

    public static final String WARM = "warm";

    public WarmResponse {
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(status, "status");
        if (instancesWarmed < 0) {
            throw new IllegalArgumentException("instancesWarmed must not be negative");
        }
    }

    public static WarmResponse of(String functionId, int instancesWarmed) {
        return new WarmResponse(functionId, WARM, instancesWarmed);
    }
}
