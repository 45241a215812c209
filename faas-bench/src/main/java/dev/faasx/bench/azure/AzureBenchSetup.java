package dev.faasx.bench.azure;

import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.azure.AzureFunctionsExecutor;
import dev.faasx.azure.function.CustomHandlerMain;
import dev.faasx.azure.local.LocalAzure;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.testkit.ShadedJar;

import java.time.Duration;
import java.util.Map;

/** The echo job as a shaded custom-handler JAR, and executors pointed at a {@link LocalAzure}. */
final class AzureBenchSetup {
    private AzureBenchSetup() {
    }

    /** Answers its input. */
    public static final class Echo implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(call.body());
        }
    }

    static AzureFunctionsExecutor executor(LocalAzure azure) {
        return AzureFunctionsExecutor.builder()
                .environment(Map.of())
                .subscriptionId("00000000-0000-0000-0000-0000000000be")
                .resourceGroup("bench")
                .region("westeurope")
                .localEndpoint(azure.endpoint())
                .managementRetry(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .pollInterval(Duration.ofMillis(20))
                .build();
    }

    /**
     * A shaded JAR of {@link Echo} with faas-azure-function, faas-core, Jackson and the SLF4J API: only their packages,
     * since in the shaded benchmarks JAR every library shares one code source.
     */
    static FunctionPackage.Jar echoJar() {
        return ShadedJar.of(CustomHandlerMain.class, JobHandler.class, JsonFactory.class, ObjectMapper.class,
                        JsonProperty.class, org.slf4j.Logger.class)
                .onlyPackages("dev/faasx/core/", "dev/faasx/azure/function/", "com/fasterxml/jackson/core/",
                        "com/fasterxml/jackson/databind/", "com/fasterxml/jackson/annotation/", "org/slf4j/")
                .handler(Echo.class);
    }
}
