package dev.faasx.aws;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.local.LocalLambda;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.aws.support.TestHandlers;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The init limit, shortened to 1 s here (Lambda's is 10 s) so that a handler that takes 2 s to create runs past it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("An init that runs past Lambda's init limit")
class LambdaInitTimeoutTest {
    private final LocalLambda fake = Executors.emulator().initTimeout(Duration.ofSeconds(1)).build();
    private final LambdaExecutor lambda = Executors.against(fake).build();
    private final LambdaPackages packages = new LambdaPackages();

    @AfterAll
    void close() {
        lambda.close();
        fake.close();
    }

    private FaasConfig slowInit(Duration timeout) {
        return FaasConfig.builder().timeout(timeout).envVar("INIT_SLEEP_MS", "2000").build();
    }

    @Test
    @DisplayName("goes on within the first invocation's timeout, and the REPORT line has its whole Init Duration")
    void continuesWithinTheInvocation() {
        await(lambda.deploy(1, packages.jar(TestHandlers.SlowInit.class), slowInit(Duration.ofSeconds(30))));
        Invocation invocation = await(lambda.invokeWithMetrics(JobCall.of(1, "s".getBytes(StandardCharsets.UTF_8))));
        assertThat(invocation.output().body()).isEqualTo("s".getBytes(StandardCharsets.UTF_8));
        assertThat(invocation.metrics().initDuration().value())
                .hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofSeconds(2)));
    }

    @Test
    @DisplayName("that outlasts the function's timeout as well fails the call as a timeout")
    void timesOut() {
        await(lambda.deploy(2, packages.jar(TestHandlers.SlowInit.class), slowInit(Duration.ofSeconds(1))));
        FaasTimeoutException e = failureOf(lambda.invoke(JobCall.of(2, new byte[0])), FaasTimeoutException.class);
        assertThat(e.reason()).contains("Task timed out after 1.00 seconds");
    }
}
