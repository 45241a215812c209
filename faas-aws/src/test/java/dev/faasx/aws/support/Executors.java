package dev.faasx.aws.support;

import dev.faasx.aws.LambdaExecutor;
import dev.faasx.aws.local.LocalLambda;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Local Lambda emulators, SDK clients pointed at them, and executors on those clients that poll fast, so that tests
 * do not wait on the SDK's 1 s default.
 */
public final class Executors {
    /** The access key the tests' emulators accept. */
    public static final String ACCESS_KEY = "AKIDLOCALLAMBDA00001";
    public static final String SECRET_KEY = "local-secret-key";

    private Executors() {
    }

    /**
     * An emulator that accepts only {@link #ACCESS_KEY}, with creations and updates settling after 20 ms (Lambda
     * takes seconds; the order of states is what the tests check, not their length), and a 60 s init limit instead
     * of Lambda's 10 s: Lambda gives every environment its own CPU, while here up to 16 JVMs start at once on a small,
     * shared machine. {@code LambdaInitTimeoutTest} checks the limit itself with a short one.
     */
    public static LocalLambda.Builder emulator() {
        return LocalLambda.builder().accessKeyId(ACCESS_KEY).stateDelay(Duration.ofMillis(20))
                .initTimeout(Duration.ofSeconds(60));
    }

    /** A real SDK client pointed at {@code lambda}, signing with {@code accessKeyId}; the caller closes it. */
    public static LambdaClient client(LocalLambda lambda, String accessKeyId) {
        return LambdaClient.builder()
                .endpointOverride(lambda.endpoint())
                .region(Region.of(LocalLambda.REGION))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(accessKeyId, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofMinutes(2)))
                .build();
    }

    public static LambdaClient client(LocalLambda lambda) {
        return client(lambda, ACCESS_KEY);
    }

    /** An executor on its own client for {@code lambda} (closed with the executor). */
    public static LambdaExecutor.Builder against(LocalLambda lambda) {
        return LambdaExecutor.builder()
                .endpointOverride(lambda.endpoint())
                .region(LocalLambda.REGION)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .executionRole(LocalLambda.roleArn())
                .functionNamePrefix("test")
                .pollInterval(Duration.ofMillis(50))
                .invokeRetries(3, Duration.ofMillis(50));
    }
}
