package dev.faasx.gcp;

import com.google.auth.oauth2.GoogleCredentials;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.gcp.support.FunctionJars;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The compatibility kit against real Google Cloud Functions (2nd gen). Opt-in, because it creates functions in a
 * Google Cloud project (and costs a little): it runs only when {@code FAASX_GCP_IT=true},
 * {@code GOOGLE_CLOUD_PROJECT} and {@code GOOGLE_CLOUD_REGION} are set and Application Default Credentials are found
 * (for example {@code GOOGLE_APPLICATION_CREDENTIALS} naming a service-account key with
 * {@code roles/cloudfunctions.developer}, {@code roles/iam.serviceAccountUser} and {@code roles/run.invoker}). Every
 * function it creates is named {@code faasx-it-job-*} and deleted after its test. See docs/providers/gcp.md.
 */
@EnabledIfEnvironmentVariable(named = "FAASX_GCP_IT", matches = "true")
@EnabledIf("projectRegionAndCredentials")
@DisplayName("CloudFunctionsExecutor passes the compatibility kit on real Google Cloud Functions (opt-in)")
class CloudFunctionsRealGcpIT extends FaasExecutorCompatibilityKit {
    private CloudFunctionsExecutor executor;

    static boolean projectRegionAndCredentials() {
        if (blank(System.getenv("GOOGLE_CLOUD_PROJECT")) || blank(System.getenv("GOOGLE_CLOUD_REGION"))) {
            return false;
        }
        try {
            GoogleCredentials.getApplicationDefault();
            return true;
        } catch (IOException none) {
            return false;
        }
    }

    @Override
    protected synchronized FaasExecutor executor() {
        if (executor == null) {
            executor = CloudFunctionsExecutor.builder().functionNamePrefix("faasx-it").build();
        }
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return FunctionJars.jar(CompatibilityFunction.class);
    }

    /** A 10 s timeout: the first call of a fresh JVM instance on Cloud Run's CPUs can exceed the kit's 3 s. */
    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().memoryMb(512).timeout(Duration.ofSeconds(10)).build();
    }

    /** Sixteen concurrent calls may start new instances, each a JVM cold start. */
    @Override
    protected Duration concurrentCallsWait() {
        return Duration.ofMinutes(2);
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
