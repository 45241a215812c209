package dev.faasx.http;

import static dev.faasx.http.Outcomes.failure;
import static dev.faasx.http.Outcomes.value;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.Provenance;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.ReferenceServerExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole lifecycle against the embedded reference server with the function in the spec's v1 model: one
 * {@code bootstrap} process per invocation, the request on stdin and the answer on stdout.
 */
class HttpFaasExecutorProcessModeTest {
    @RegisterExtension
    static final ReferenceServerExtension SERVER = ReferenceServerExtension.configured(
            b -> b.functionReadOnlyPaths(TestFunctions.classPath()));

    @Test
    void deploysInvokesAndUndeploysAProcessPerCallFunction() throws Exception {
        FaasConfig config = FaasConfig.builder().timeout(Duration.ofSeconds(60)).envVar("GREETING", "hello v1")
                .providerOption(HttpFaasExecutor.WORKER_MODE_OPTION, "process").build();
        try (HttpFaasExecutor executor = HttpFaasExecutor.builder(SERVER.baseUri())
                .payloadEncoding(PayloadEncoding.BASE64).build()) {
            FaasDeployment deployment = value(executor.deploy(42, TestFunctions.compatibilityFunction(), config));
            assertThat(deployment.functionId()).isEqualTo("job42");
            assertThat(value(executor.healthCheck(42)).healthy()).isTrue();

            Invocation echoed = value(executor.invokeWithMetrics(
                    JobCall.builder(42).body("over stdin".getBytes(UTF_8)).metadata("k", "v").build()));
            assertThat(new String(echoed.output().body(), UTF_8)).isEqualTo("over stdin");
            assertThat(echoed.output().metadata()).containsEntry("k", "v");
            assertThat(echoed.metrics().executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);

            byte[] env = value(executor.invoke(JobCall.of(42, CompatibilityFunction.envCommand("GREETING")))).body();
            assertThat(new String(env, UTF_8)).isEqualTo("hello v1");

            assertThat(failure(executor.invoke(JobCall.of(42, CompatibilityFunction.failCommand("bad input")))))
                    .isInstanceOf(FunctionErrorException.class).extracting(e -> e.reason()).asString()
                    .contains("bad input");

            value(executor.undeploy(42));
            assertThat(failure(executor.invoke(JobCall.of(42, new byte[0]))))
                    .isInstanceOf(FunctionNotFoundException.class);
        }
    }
}
