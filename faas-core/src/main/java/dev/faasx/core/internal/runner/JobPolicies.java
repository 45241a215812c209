package dev.faasx.core.internal.runner;

import dev.faasx.core.JobPolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policy of each job id, and the Resilience4j instances made from it, created on a job's first remote call and
 * kept for the runner's life (one circuit breaker per job, shared by all its calls). Instances live here, in the
 * runner, never in a static registry.
 */
final class JobPolicies {
    private final JobPolicy defaultPolicy;
    private final Map<Long, JobPolicy> byJob;
    private final ConcurrentHashMap<Long, JobResilience> resilience = new ConcurrentHashMap<>();

    JobPolicies(JobPolicy defaultPolicy, Map<Long, JobPolicy> byJob) {
        this.defaultPolicy = defaultPolicy;
        this.byJob = Map.copyOf(byJob);
    }

    JobPolicy policyFor(long jobId) {
        if (byJob.isEmpty()) { // the common case: no per-job policy, no boxing of the id
            return defaultPolicy;
        }
        return byJob.getOrDefault(jobId, defaultPolicy);
    }

    /** The job's Resilience4j instances, or {@code null} when its policy configures none. */
    JobResilience resilienceFor(long jobId, JobPolicy policy) {
        if (!policy.hasResilience()) {
            return null;
        }
        return resilience.computeIfAbsent(jobId, id -> JobResilience.create(id, policy));
    }
}
