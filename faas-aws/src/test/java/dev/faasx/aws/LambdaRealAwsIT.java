package dev.faasx.aws;

import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;

/**
 * The compatibility kit against real AWS Lambda. Opt-in, because it creates functions in an AWS account (and costs
 * a little): it runs only when {@code FAASX_AWS_IT=true}, {@code FAASX_AWS_ROLE_ARN} names an execution role, and
 * the SDK's default chain finds credentials; the region comes from the default chain ({@code AWS_REGION}). Every
 * function it creates is named {@code faasx-it-job-*} and deleted after its test. See docs/providers/aws.md.
 */
@EnabledIfEnvironmentVariable(named = "FAASX_AWS_IT", matches = "true")
@EnabledIf("credentialsAndRole")
@DisplayName("LambdaExecutor passes the compatibility kit on real AWS Lambda (opt-in)")
class LambdaRealAwsIT extends FaasExecutorCompatibilityKit {
    private final LambdaPackages packages = new LambdaPackages();
    private LambdaExecutor executor;

    static boolean credentialsAndRole() {
        String role = System.getenv("FAASX_AWS_ROLE_ARN");
        if (role == null || role.isBlank()) {
            return false;
        }
        try (DefaultCredentialsProvider credentials = DefaultCredentialsProvider.builder().build()) {
            credentials.resolveCredentials();
            return true;
        } catch (RuntimeException none) {
            return false;
        }
    }

    @Override
    protected synchronized FaasExecutor executor() {
        if (executor == null) {
            executor = LambdaExecutor.builder()
                    .executionRole(System.getenv("FAASX_AWS_ROLE_ARN"))
                    .functionNamePrefix("faasx-it")
                    .build();
        }
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return packages.jar(CompatibilityFunction.class);
    }
}
