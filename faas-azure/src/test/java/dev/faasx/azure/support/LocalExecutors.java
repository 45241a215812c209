package dev.faasx.azure.support;

import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import dev.faasx.azure.AzureFunctionsExecutor;
import dev.faasx.azure.AzureFunctionsExecutorBuilder;
import dev.faasx.azure.local.LocalAzure;

import java.time.Duration;
import java.util.Map;

/** Executors pointed at a {@link LocalAzure}, polling fast and without the SDK's retries (so errors show at once). */
public final class LocalExecutors {
    public static final String SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";

    private LocalExecutors() {
    }

    public static AzureFunctionsExecutorBuilder against(LocalAzure azure, String resourceGroup) {
        return AzureFunctionsExecutor.builder()
                .environment(Map.of())
                .subscriptionId(SUBSCRIPTION)
                .resourceGroup(resourceGroup)
                .region("westeurope")
                .localEndpoint(azure.endpoint())
                .managementRetry(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .pollInterval(Duration.ofMillis(50))
                .deployTimeout(Duration.ofSeconds(60));
    }
}
