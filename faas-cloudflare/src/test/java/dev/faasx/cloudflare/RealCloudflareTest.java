package dev.faasx.cloudflare;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.cloudflare.support.LocalCloudflare;
import dev.faasx.cloudflare.support.RealCloudflare;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.Provenance;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Deploy, invoke, read Analytics Engine and undeploy on a real Cloudflare account. Runs only when opted in (see
 * {@link RealCloudflare}); otherwise reported as skipped.
 */
class RealCloudflareTest {
    @Test
    void deploysInvokesAndReadsTheInvocationBackFromAnalyticsEngine() throws Exception {
        CloudflareCredentials credentials = RealCloudflare.credentialsOrSkip();
        long jobId = 3_000_000_000L + ThreadLocalRandom.current().nextLong(1_000_000);
        try (CloudflareWorkersExecutor executor = RealCloudflare.executor(credentials)) {
            try {
                Instant started = Instant.now();
                FaasDeployment deployment = executor.deploy(jobId, LocalCloudflare.compatibilityWorker(),
                        FaasConfig.builder().timeout(Duration.ofSeconds(20)).envVar("GREETING", "hello").build())
                        .get(5, TimeUnit.MINUTES);
                assertThat(deployment.endpoint()).isPresent();

                Invocation invocation = executor.invokeWithMetrics(JobCall.builder(jobId)
                        .body("from the test".getBytes(UTF_8)).metadata("k", "v").build()).get(1, TimeUnit.MINUTES);
                assertThat(invocation.output().body()).isEqualTo("from the test".getBytes(UTF_8));
                assertThat(invocation.output().metadata()).containsEntry("k", "v");
                assertThat(invocation.metrics().coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_FUNCTION);

                InvocationMetrics confirmed = executor.analytics().recordedMetrics(jobId, invocation,
                        Duration.ofMinutes(3)).get(4, TimeUnit.MINUTES).orElseThrow();
                assertThat(confirmed.coldStart()).isEqualTo(invocation.metrics().coldStart());
                InvocationCounts counts = executor.analytics().counts(jobId, started, Instant.now())
                        .get(1, TimeUnit.MINUTES);
                assertThat(counts.total()).isGreaterThanOrEqualTo(1);
            } finally {
                executor.undeploy(jobId).get(1, TimeUnit.MINUTES);
            }
        }
    }
}
