package dev.faasx.core;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The local handlers of a host application, by job id. Immutable and thread-safe; build it once and give it to
 * the {@link FaasRunner}.
 *
 * <pre>{@code
 * JobRouter router = JobRouter.builder()
 *     .route(1, JobHandler.ofBytes(body -> body))
 *     .route(2, new ResizeImage())
 *     .build();
 * }</pre>
 */
public final class JobRouter {
    private static final JobRouter EMPTY = new JobRouter(Map.of());

    private final Map<Long, JobHandler> handlers;

    private JobRouter(Map<Long, JobHandler> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    /** A router with no local handlers: every job must be delegated. */
    public static JobRouter empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The local handler for {@code jobId}, if there is one. */
    public Optional<JobHandler> handlerFor(long jobId) {
        return Optional.ofNullable(handlers.get(jobId));
    }

    public Set<Long> jobIds() {
        return handlers.keySet();
    }

    /** Builds a {@link JobRouter}. Not thread-safe. */
    public static final class Builder {
        private final Map<Long, JobHandler> handlers = new HashMap<>();

        private Builder() {
        }

        /** Routes {@code jobId} to {@code handler}; a second route for the same id is an error. */
        public Builder route(long jobId, JobHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (handlers.putIfAbsent(jobId, handler) != null) {
                throw new IllegalArgumentException("job " + jobId + " already has a local handler");
            }
            return this;
        }

        public JobRouter build() {
            return new JobRouter(handlers);
        }
    }
}
