package dev.faasx.aws;

import static dev.faasx.testkit.FutureAssertions.await;
import static dev.faasx.testkit.FutureAssertions.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.local.LocalLambda;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.LogType;
import dev.faasx.aws.support.Executors;
import dev.faasx.aws.support.LambdaPackages;
import dev.faasx.aws.support.TestHandlers;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.Provenance;
import dev.faasx.core.ThrottledException;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.MetricsAssertions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("LambdaExecutor invocations against the local Lambda emulator")
class LambdaInvokeTest {
    private static final long ECHO = 1;
    private static final long FAILING = 2;
    private static final long BROKEN = 3;
    private static final long NATIVE_ECHO = 4;
    private static final long JSON_LOG_ECHO = 5;

    private final LocalLambda fake = Executors.emulator().build();
    private final LambdaExecutor lambda = Executors.against(fake).build();
    private final LambdaPackages packages = new LambdaPackages();

    @BeforeAll
    void deploy() {
        FaasConfig config = FaasConfig.builder().memoryMb(256).timeout(Duration.ofSeconds(20)).maxConcurrency(8)
                .build();
        var deployments = List.of(
                lambda.deploy(ECHO, packages.jar(CompatibilityFunction.class), config),
                lambda.deploy(FAILING, packages.jar(TestHandlers.Failing.class), config),
                lambda.deploy(BROKEN, packages.jar(TestHandlers.BrokenConstructor.class), config),
                lambda.deploy(NATIVE_ECHO, packages.bootstrap(CompatibilityFunction.class), config),
                lambda.deploy(JSON_LOG_ECHO, packages.jar(CompatibilityFunction.class), config.toBuilder()
                        .providerOption(LambdaExecutor.OPTION_LOG_FORMAT, "JSON").build()));
        deployments.forEach(d -> await(d, Duration.ofMinutes(2)));
    }

    @AfterAll
    void close() {
        lambda.close();
        fake.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private long invokes(String function) {
        return fake.calls().stream().filter(c -> c.operation().equals("Invoke") && function.equals(c.functionName()))
                .count();
    }

    @Nested
    @DisplayName("the REPORT line")
    class Report {
        @Test
        @DisplayName("of a cold start has an Init Duration; of the next, warm call it has none")
        void coldThenWarm() {
            for (long job : new long[] {ECHO, NATIVE_ECHO}) {
                fake.recycleEnvironments(lambda.functionName(job));
                InvocationMetrics cold = await(lambda.invokeWithMetrics(JobCall.of(job, bytes("cold")))).metrics();
                InvocationMetrics warm = await(lambda.invokeWithMetrics(JobCall.of(job, bytes("warm")))).metrics();

                assertThat(cold.coldStart().value()).as("job %d", job).contains(true);
                assertThat(cold.coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
                assertThat(cold.initDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
                assertThat(cold.initDuration().value()).hasValueSatisfying(d -> assertThat(d).isPositive());
                assertThat(warm.coldStart().value()).contains(false);
                assertThat(warm.initDuration().isKnown()).isFalse();
                MetricsAssertions.assertHonest(cold);
                MetricsAssertions.assertHonest(warm);
            }
        }

        @Test
        @DisplayName("gives duration, billed duration and memory as reported by the provider, with the request id")
        void providerFigures() {
            Invocation invocation = await(lambda.invokeWithMetrics(JobCall.of(ECHO, bytes("figures"))));
            InvocationMetrics m = invocation.metrics();
            assertThat(m.executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(m.billedDuration().value()).hasValueSatisfying(d -> assertThat(d).isPositive());
            assertThat(m.memorySizeMb().value()).contains(256L);
            assertThat(m.memoryUsedMb().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(m.memoryUsedMb().value()).hasValueSatisfying(mb -> assertThat(mb).isPositive());
            assertThat(m.totalDuration().provenance()).isEqualTo(Provenance.MEASURED_BY_CLIENT);
            assertThat(m.requestId()).hasValueSatisfying(id -> assertThat(id).isNotBlank());
        }
    }

    @Nested
    @DisplayName("the platform.report record of the JSON log format")
    class JsonReport {
        @Test
        @DisplayName("gives the same provider figures as the text REPORT line, cold and then warm")
        void providerFiguresFromJson() {
            String name = lambda.functionName(JSON_LOG_ECHO);
            fake.recycleEnvironments(name);
            InvocationMetrics cold = await(lambda.invokeWithMetrics(JobCall.of(JSON_LOG_ECHO, bytes("j1")))).metrics();
            InvocationMetrics warm = await(lambda.invokeWithMetrics(JobCall.of(JSON_LOG_ECHO, bytes("j2")))).metrics();
            assertThat(cold.coldStart().value()).contains(true);
            assertThat(cold.coldStart().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(cold.initDuration().value()).hasValueSatisfying(d -> assertThat(d).isPositive());
            assertThat(warm.coldStart().value()).contains(false);
            assertThat(warm.executionDuration().provenance()).isEqualTo(Provenance.REPORTED_BY_PROVIDER);
            assertThat(warm.billedDuration().value()).hasValueSatisfying(d -> assertThat(d).isPositive());
            assertThat(warm.memorySizeMb().value()).contains(256L);
            try (LambdaClient client = Executors.client(fake)) {
                var raw = client.invoke(r -> r.functionName(name).logType(LogType.TAIL)
                        .payload(SdkBytes.fromUtf8String("{\"faasx_warmup\":true}")));
                String log = new String(java.util.Base64.getDecoder().decode(raw.logResult()), StandardCharsets.UTF_8);
                assertThat(log).contains("\"type\":\"platform.report\"").doesNotContain("REPORT RequestId");
                assertThat(client.getFunctionConfiguration(r -> r.functionName(name)).loggingConfig()
                        .logFormatAsString()).isEqualTo("JSON");
            }
        }
    }

    @Nested
    @DisplayName("an Inactive function")
    class Inactive {
        @Test
        @DisplayName("is waited for while Lambda restores it, and the call then succeeds")
        void waitsForRestore() {
            String name = lambda.functionName(ECHO);
            fake.deactivate(name);
            assertThat(await(lambda.invoke(JobCall.of(ECHO, bytes("back"))), Duration.ofSeconds(60)).body())
                    .isEqualTo(bytes("back"));
            assertThat(fake.calls()).anySatisfy(c -> {
                assertThat(c.operation()).isEqualTo("Invoke");
                assertThat(c.functionName()).isEqualTo(name);
                assertThat(c.errorType()).isEqualTo("ResourceNotReadyException");
            });
        }
    }

    @Nested
    @DisplayName("AWS's runtime interface client")
    class RuntimeInterfaceClient {
        @Test
        @DisplayName("reports a job's exception as Lambda does: Unhandled, the exception class as errorType, a stack"
                + " trace")
        void errorShape() {
            try (LambdaClient client = Executors.client(fake)) {
                String request = new String(dev.faasx.core.spec.SpecCodec.create().encodeRequest(
                        dev.faasx.core.spec.InvokeRequest.of(FAILING, bytes("broken disk"))), StandardCharsets.UTF_8);
                var raw = client.invoke(r -> r.functionName(lambda.functionName(FAILING))
                        .payload(SdkBytes.fromUtf8String(request)));
                assertThat(raw.functionError()).isEqualTo("Unhandled");
                var error = new com.fasterxml.jackson.databind.ObjectMapper().readTree(raw.payload().asUtf8String());
                assertThat(error.path("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
                assertThat(error.path("errorMessage").asText()).isEqualTo("broken disk");
                assertThat(error.path("stackTrace").isArray()).isTrue();
                assertThat(error.path("stackTrace").toString()).contains("TestHandlers$Failing.handle");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Nested
    @DisplayName("a function error")
    class FunctionErrors {
        @Test
        @DisplayName("surfaces the error type and message from the payload, with the AWS request id")
        void surfacesTypeAndMessage() {
            FunctionErrorException e = failureOf(lambda.invoke(JobCall.of(FAILING, bytes("disk full"))),
                    FunctionErrorException.class);
            assertThat(e.reason()).isEqualTo("disk full");
            assertThat(e.errorType()).contains("java.lang.IllegalStateException");
            assertThat(e.requestId()).isPresent();
            assertThat(e.jobId()).hasValue(FAILING);
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.getCause()).as("the function's stack trace, as the runtime interface client reported it")
                    .isNotNull();
            assertThat(e.getCause().getStackTrace()).anySatisfy(frame -> {
                assertThat(frame.getClassName()).isEqualTo(TestHandlers.Failing.class.getName());
                assertThat(frame.getMethodName()).isEqualTo("handle");
            });
        }

        @Test
        @DisplayName("from a custom runtime carries the exception type the runtime loop posted")
        void fromRuntimeLoop() {
            FunctionErrorException e = failureOf(lambda.invoke(JobCall.of(NATIVE_ECHO,
                    CompatibilityFunction.failCommand("no luck"))), FunctionErrorException.class);
            assertThat(e.reason()).isEqualTo("no luck");
            assertThat(e.errorType()).hasValueSatisfying(t -> assertThat(t).contains("RequestedFailure"));
        }

        @Test
        @DisplayName("of a handler that cannot be created names the constructor's failure")
        void initFailure() {
            FunctionErrorException e = failureOf(lambda.invoke(JobCall.of(BROKEN, bytes("x"))),
                    FunctionErrorException.class);
            assertThat(e.reason()).contains("configuration missing");
        }
    }

    @Nested
    @DisplayName("throttling")
    class Throttling {
        @Test
        @DisplayName("is retried: two 429 TooManyRequestsException answers, then the call succeeds")
        void retriedUntilSuccess() {
            String name = lambda.functionName(ECHO);
            long before = invokes(name);
            fake.throttleNextInvocations(2);
            assertThat(await(lambda.invoke(JobCall.of(ECHO, bytes("after throttling")))).body())
                    .isEqualTo(bytes("after throttling"));
            assertThat(invokes(name) - before).isEqualTo(3);
        }

        @Test
        @DisplayName("that outlasts the retries is a retryable ThrottledException with Retry-After and request id")
        void exhaustedRetries() {
            fake.throttleNextInvocations(3);
            ThrottledException e = failureOf(lambda.invoke(JobCall.of(ECHO, bytes("x"))), ThrottledException.class);
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.mayHaveRun()).isFalse();
            assertThat(e.status()).hasValue(429);
            assertThat(e.errorCode()).contains("TooManyRequestsException");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(1));
            assertThat(e.requestId()).isPresent();
        }
    }

    @Nested
    @DisplayName("the payload limit")
    class PayloadLimit {
        @Test
        @DisplayName("rejects a request whose JSON exceeds 6 MB before sending it")
        void tooLargeBeforeSending() {
            String name = lambda.functionName(ECHO);
            long before = invokes(name);
            byte[] body = new byte[4_800_000];
            InvalidRequestException e = failureOf(lambda.invoke(JobCall.of(ECHO, body)),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("6291456");
            assertThat(invokes(name)).isEqualTo(before);
        }

        @Test
        @DisplayName("counts the v1 byte-array encoding's expansion, not just the body")
        void countsEncodedSize() {
            try (LambdaExecutor v1 = Executors.against(fake).payloadEncoding(PayloadEncoding.BYTE_ARRAY).build()) {
                byte[] body = new byte[2_000_000];
                java.util.Arrays.fill(body, (byte) 200);
                InvalidRequestException e = failureOf(v1.invoke(JobCall.of(ECHO, body)),
                        InvalidRequestException.class);
                assertThat(e.reason()).contains("BASE64");
                byte[] small = new byte[100_000];
                assertThat(await(v1.invoke(JobCall.of(ECHO, small))).body()).isEqualTo(small);
            }
        }

        @Test
        @DisplayName("lets a 4 MB body through in base64")
        void largeBodyInBase64() {
            byte[] body = new byte[4 * 1024 * 1024];
            new java.util.Random(7).nextBytes(body);
            assertThat(await(lambda.invoke(JobCall.of(ECHO, body))).body()).isEqualTo(body);
        }
    }

    @Nested
    @DisplayName("an asynchronous (Event) invocation")
    class Events {
        @Test
        @DisplayName("is accepted with a request id, and Lambda then runs the function")
        void queuedAndRun() throws InterruptedException {
            EventInvocation queued = await(lambda.invokeAsEvent(JobCall.of(ECHO, bytes("later"))));
            assertThat(queued.jobId()).isEqualTo(ECHO);
            assertThat(queued.requestId()).isPresent();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (fake.eventOutcomes().stream().noneMatch(o -> o.requestId().equals(queued.requestId().get()))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(fake.eventOutcomes()).anySatisfy(o -> {
                assertThat(o.requestId()).isEqualTo(queued.requestId().get());
                assertThat(o.succeeded()).isTrue();
            });
        }

        @Test
        @DisplayName("over 1 MB is rejected before sending")
        void overEventLimit() {
            InvalidRequestException e = failureOf(lambda.invokeAsEvent(JobCall.of(ECHO, new byte[800_000])),
                    InvalidRequestException.class);
            assertThat(e.reason()).contains("1048576");
        }
    }

    @Nested
    @DisplayName("a refused call")
    class Refused {
        @Test
        @DisplayName("to a function that does not exist is FunctionNotFoundException with the request id")
        void notFound() {
            FunctionNotFoundException e = failureOf(lambda.invoke(JobCall.of(999, bytes("x"))),
                    FunctionNotFoundException.class);
            assertThat(e.requestId()).isPresent();
            assertThat(e.status()).hasValue(404);
            assertThat(e.functionId()).contains("test-job-999");
        }

        @Test
        @DisplayName("with credentials AWS does not accept is AccessDeniedException")
        void accessDenied() {
            try (var strangerClient = Executors.client(fake, "AKIDSTRANGER0000000X");
                 LambdaExecutor stranger = LambdaExecutor.builder().client(strangerClient).build()) {
                AccessDeniedException e = failureOf(stranger.invoke(JobCall.of(ECHO, bytes("x"))),
                        AccessDeniedException.class);
                assertThat(e.errorCode()).contains("UnrecognizedClientException");
                assertThat(e.status()).hasValue(403);
            }
        }
    }
}
