package dev.faasx.core.internal.runner;

import dev.faasx.core.FaasRegistry;
import dev.faasx.core.JobConsumer;
import dev.faasx.core.JobPolicy;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobRouter;
import dev.faasx.core.RunnerListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What {@code FaasRunner.Builder} collected, checked and complete.
 *
 * @param name          prefix of the runner's thread names
 * @param producer      where calls come from; {@code null} for a runner used only through {@code call}
 * @param consumer      where producer results go; present whenever {@code producer} is
 * @param maxDirectCalls most direct calls ({@code call}) in flight; one over it fails at once
 * @param localExecutor where local handlers run; {@code null} with {@code callerRuns} or for an owned pool
 * @param callerRuns    run local handlers on the dispatching thread
 * @param localThreads  size of the owned pool when neither of the above is set
 */
public record RunnerSettings(
        String name,
        JobRouter router,
        JobProducer producer,
        JobConsumer consumer,
        FaasRegistry registry,
        int maxInFlight,
        int maxDirectCalls,
        Executor localExecutor,
        boolean callerRuns,
        int localThreads,
        JobPolicy defaultPolicy,
        Map<Long, JobPolicy> policies,
        List<RunnerListener> listeners,
        Duration shutdownGrace) {

    public RunnerSettings {
        policies = Map.copyOf(policies);
        listeners = List.copyOf(listeners);
    }
}
