package dev.faasx.core.spec;

import java.util.Objects;

/**
 * What {@code DELETE /api/functions/{id}} answers: {@code {"function_id","status":"deleted"}} (spec v1).
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * DeleteResponse deleted = DeleteResponse.of("job7");
 * }</pre>
 *
 * @param functionId the removed function's id
 * @param status     {@value #DELETED} for spec servers
 */
public record DeleteResponse(String functionId, String status) {

    public static final String DELETED = "deleted";

    public DeleteResponse {
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(status, "status");
    }

    public static DeleteResponse of(String functionId) {
        return new DeleteResponse(functionId, DELETED);
    }
}
