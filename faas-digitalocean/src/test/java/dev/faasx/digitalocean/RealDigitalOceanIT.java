package dev.faasx.digitalocean;

import static dev.faasx.testkit.FutureAssertions.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Against a real DigitalOcean account: opt in with {@code FAASX_DO_IT=true} and {@code DIGITALOCEAN_TOKEN} (a token
 * with Functions read and write). Uses (or creates, in {@code FAASX_DO_REGION}, default {@code nyc1}) the namespace
 * labelled {@code faasx-it}; deploys a python bootstrap that echoes its input (DigitalOcean has no Java runtime),
 * invokes it twice and deletes the action. Skipped by default.
 */
@EnabledIfEnvironmentVariable(named = "FAASX_DO_IT", matches = "true")
class RealDigitalOceanIT {
    private static final long JOB = 424_242;
    private static final String ECHO = "#!/usr/bin/env python3\n"
            + "import json, sys\n"
            + "request = json.load(sys.stdin)\n"
            + "print(json.dumps({'job_id': request['job_id'], 'result_base64': request.get('args_base64', ''),"
            + " 'success': True}))\n";

    @Test
    @DisplayName("deploys a bootstrap, invokes it cold and warm with the activation record's figures, and undeploys")
    void roundTrip() {
        String region = System.getenv().getOrDefault("FAASX_DO_REGION", "nyc1");
        try (DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder().region(region)
                .namespaceLabel("faasx-it").build()) {
            try {
                await(executor.deploy(JOB, FunctionPackage.bootstrapScript(ECHO), FaasConfig.builder().memoryMb(256)
                        .timeout(Duration.ofSeconds(30)).build()), Duration.ofMinutes(2));
                Invocation first = await(executor.invokeWithMetrics(JobCall.of(JOB, "real".getBytes(UTF_8))),
                        Duration.ofMinutes(2));
                Invocation second = await(executor.invokeWithMetrics(JobCall.of(JOB, "again".getBytes(UTF_8))),
                        Duration.ofMinutes(2));
                assertThat(first.output().body()).isEqualTo("real".getBytes(UTF_8));
                assertThat(second.output().body()).isEqualTo("again".getBytes(UTF_8));
                assertThat(second.metrics().coldStart().value()).isPresent();
                assertThat(second.metrics().memorySizeMb()).isEqualTo(Figure.reported(256L));
                assertThat(second.metrics().requestId()).isPresent();
            } finally {
                await(executor.undeploy(JOB), Duration.ofMinutes(1));
            }
        }
    }
}
