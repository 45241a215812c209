package dev.faasx.aws.support;

import dev.faasx.aws.LambdaExecutor;
import dev.faasx.aws.fake.FakeLambda;
import java.time.Duration;

/** Executors pointed at a {@link FakeLambda}, polling fast so that tests do not wait on the SDK's 1 s default. */
public final class Executors {
    private Executors() {
    }

    public static LambdaExecutor.Builder against(FakeLambda fake) {
        return LambdaExecutor.builder()
                .client(fake.client())
                .executionRole(FakeLambda.roleArn())
                .functionNamePrefix("test")
                .pollInterval(Duration.ofMillis(50))
                .invokeRetries(3, Duration.ofMillis(50));
    }
}
