package dev.faasx.aws;

import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasExecutor;
import dev.faasx.core.FunctionPackage;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.FaasExecutorCompatibilityKit;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.condition.EnabledIf;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * The compatibility kit against LocalStack's Lambda in a Testcontainers container. Optional: it runs only where a
 * Docker daemon answers and the LocalStack image ({@value #DEFAULT_IMAGE}, or {@code FAASX_LOCALSTACK_IMAGE}) is
 * already present locally (this test never pulls it); otherwise it is skipped. LocalStack itself starts Lambda's
 * Java runtime image for invocations, so that image must be obtainable too. See docs/providers/aws.md.
 */
@EnabledIf("dockerAndImageAvailable")
@DisplayName("LambdaExecutor passes the compatibility kit on LocalStack (optional, needs Docker)")
class LambdaLocalStackIT extends FaasExecutorCompatibilityKit {
    static final String DEFAULT_IMAGE = "localstack/localstack:4.0";

    private final LambdaPackages packages = new LambdaPackages();
    private LocalStackContainer localstack;
    private LambdaExecutor executor;

    static String image() {
        String configured = System.getenv("FAASX_LOCALSTACK_IMAGE");
        return configured == null || configured.isBlank() ? DEFAULT_IMAGE : configured;
    }

    static boolean dockerAndImageAvailable() {
        try {
            if (!DockerClientFactory.instance().isDockerAvailable()) {
                return false;
            }
            return !DockerClientFactory.instance().client().listImagesCmd().withReferenceFilter(image()).exec()
                    .isEmpty();
        } catch (RuntimeException | Error noDocker) {
            return false;
        }
    }

    @Override
    protected synchronized FaasExecutor executor() {
        if (executor == null) {
            localstack = new LocalStackContainer(DockerImageName.parse(image())
                    .asCompatibleSubstituteFor("localstack/localstack"))
                    .withServices("lambda", "iam");
            localstack.start();
            executor = LambdaExecutor.builder()
                    .endpointOverride(localstack.getEndpoint())
                    .region(localstack.getRegion())
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey())))
                    .executionRole("arn:aws:iam::000000000000:role/faasx-localstack")
                    .pollInterval(Duration.ofMillis(250))
                    .build();
        }
        return executor;
    }

    @Override
    protected FunctionPackage compatibilityFunction() {
        return packages.jar(CompatibilityFunction.class);
    }

    @Override
    protected FaasConfig config() {
        return super.config().toBuilder().timeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    void stopLocalStack() {
        if (localstack != null) {
            localstack.stop();
        }
    }
}
