package dev.faasx.aws.local;

import dev.faasx.aws.local.internal.LambdaApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A local emulator of the AWS Lambda API that runs deployed functions for real, on loopback. Point any AWS SDK or the
 * AWS CLI at {@link #endpoint()} (with any credentials and region {@value #REGION}) to create, update, invoke,
 * describe and delete functions, publish versions, manage aliases and reserved or provisioned concurrency.
 *
 * <p>What it follows from the API reference: the same paths, headers ({@code X-Amz-Function-Error},
 * {@code X-Amz-Log-Result}, {@code X-Amz-Executed-Version}, {@code x-amzn-RequestId}, {@code x-amzn-ErrorType}), error
 * shapes and state machine (State {@code Pending → Active} after creation, {@code Inactive} after
 * {@link #deactivate}, LastUpdateStatus {@code InProgress → Successful} after each update, and
 * {@code ResourceConflictException} for changes while busy); the account's concurrency limit and unreserved minimum;
 * packages uploaded directly or from an S3 bucket it also serves ({@code PutObject}, {@code GetObject},
 * {@code HeadObject}, path-style); REPORT lines as text or, with {@code LoggingConfig.LogFormat=JSON}, as
 * {@code platform.report} records.
 *
 * <p>Functions really run: every execution environment is a child process with its own Lambda Runtime API. A
 * {@code provided.al2023} package runs its {@code bootstrap}; a {@code java17} or {@code java21} package runs under
 * AWS's own runtime interface client, the code Lambda's managed Java runtimes run, on this machine's JDK. Warm
 * invocations reuse an idle environment; every REPORT figure is measured.
 *
 * <p>Scriptable for failure tests: {@link #throttleNextInvocations}, {@link #interfereBeforeNext},
 * {@link #deactivate}, {@link #recycleEnvironments}, {@link #failNext}; every request is recorded ({@link #calls()}). Thread-safe; close
 * it to stop every process it started. In JUnit 5 tests, {@link LocalLambdaExtension} starts and stops one.
 *
 * <pre>{@code
 * try (LocalLambda lambda = LocalLambda.builder().build()) {
 *     LambdaClient client = LambdaClient.builder().endpointOverride(lambda.endpoint())
 *             .region(Region.US_EAST_1).credentialsProvider(...).build();
 * }
 * }</pre>
 */
public final class LocalLambda implements AutoCloseable {
    /** The region functions live in. */
    public static final String REGION = "us-east-1";
    /** The account functions belong to. */
    public static final String ACCOUNT_ID = "123456789012";

    private final LambdaApiServer server;

    private LocalLambda(LambdaApiServer server) {
        this.server = server;
    }

    /** A builder with Lambda's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Where clients send requests, for example {@code http://127.0.0.1:49152}. */
    public URI endpoint() {
        return server.endpoint();
    }

    /** The port the emulator listens on. */
    public int port() {
        return server.endpoint().getPort();
    }

    /** The ARN of an execution role CreateFunction accepts (no IAM is emulated; any role ARN of the right form is). */
    public static String roleArn() {
        return LambdaApiServer.roleArn();
    }

    /** How long creations and updates started from now on stay Pending / InProgress. */
    public void stateDelay(Duration value) {
        server.stateDelay(positiveOrZero(value, "stateDelay"));
    }

    /** The next {@code n} Invoke requests are refused with 429 TooManyRequestsException, as API throttling does. */
    public void throttleNextInvocations(int n) {
        server.throttleNextInvocations(n);
    }

    /**
     * Just before the next {@code operation} (for example {@code UpdateFunctionCode}) on {@code functionName}, another
     * client starts an update of that function, so that the request finds an update in progress.
     */
    public void interfereBeforeNext(String operation, String functionName) {
        server.interfereBeforeNext(operation, functionName);
    }

    /**
     * Puts the function in the {@code Inactive} state, as Lambda does with functions idle for a long time. Its idle
     * environments end; the next Invoke fails with {@code ResourceNotReadyException} (502), as on Lambda, and starts
     * its re-activation
     * (Pending, then Active after the state delay).
     *
     * @throws IllegalArgumentException when there is no such function
     */
    public void deactivate(String functionName) {
        server.deactivate(functionName);
    }

    /**
     * The next {@code operation} (for example {@code DeleteFunction}) on {@code functionName} is refused with
     * {@code status} and Lambda's {@code errorType}, as when a permission is missing
     * ({@code 403, "AccessDeniedException"}); nothing is changed.
     */
    public void failNext(String operation, String functionName, int status, String errorType, String message) {
        server.failNext(Objects.requireNonNull(operation, "operation"), Objects.requireNonNull(functionName,
                "functionName"), status, Objects.requireNonNull(errorType, "errorType"), message);
    }

    /** Every request answered so far, in order. */
    public List<RecordedCall> calls() {
        return server.calls();
    }

    /** Execution environments started for {@code functionName} (all versions), cold starts included. */
    public int environmentsStarted(String functionName) {
        return server.environmentsStarted(functionName);
    }

    /** Ends every idle on-demand environment of {@code functionName}, so that its next invocation starts cold. */
    public void recycleEnvironments(String functionName) {
        server.recycleEnvironments(functionName);
    }

    /** Asynchronous (Event) invocations Lambda finished, successfully or not. */
    public List<EventOutcome> eventOutcomes() {
        return server.eventOutcomes();
    }

    /** Stops the API and every execution environment, and deletes the emulator's files. */
    @Override
    public void close() {
        server.close();
    }

    @Override
    public String toString() {
        return "LocalLambda[" + endpoint() + "]";
    }

    private static Duration positiveOrZero(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }

    /** Settings of a {@link LocalLambda}; {@link #build()} starts it. Not thread-safe. */
    public static final class Builder {
        private int port;
        private Duration stateDelay = Duration.ofMillis(150);
        private int accountConcurrency = 1000;
        private int unreservedMinimum = 100;
        private Duration initTimeout = Duration.ofSeconds(10);
        private String accessKeyId;
        private Path javaCommand = Path.of(System.getProperty("java.home"), "bin", "java");

        private Builder() {
        }

        /** The port on 127.0.0.1; default 0, any free port. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** How long creations and updates stay Pending / InProgress; default 150 ms. */
        public Builder stateDelay(Duration value) {
            this.stateDelay = positiveOrZero(value, "stateDelay");
            return this;
        }

        /** The account's concurrency limit; default 1000, Lambda's default quota. */
        public Builder accountConcurrency(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("accountConcurrency must be at least 1, was " + value);
            }
            this.accountConcurrency = value;
            return this;
        }

        /**
         * The concurrency that reservations must leave unreserved; default 100, as Lambda keeps. A
         * {@code PutFunctionConcurrency} that would leave less fails with Lambda's
         * {@code InvalidParameterValueException}.
         */
        public Builder unreservedMinimum(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("unreservedMinimum must not be negative, was " + value);
            }
            this.unreservedMinimum = value;
            return this;
        }

        /**
         * How long a runtime may take to initialise (until it first asks for an event); default 10 s, Lambda's limit.
         * An init that takes longer goes on as part of the first invocation, within the function's timeout, as
         * Lambda re-runs a timed-out init.
         */
        public Builder initTimeout(Duration value) {
            Objects.requireNonNull(value, "initTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("initTimeout must be positive, was " + value);
            }
            this.initTimeout = value;
            return this;
        }

        /** Accept only requests signed with this access key id (others get {@code UnrecognizedClientException}). */
        public Builder accessKeyId(String value) {
            this.accessKeyId = Objects.requireNonNull(value, "accessKeyId");
            return this;
        }

        /** The {@code java} executable for {@code java17}/{@code java21} functions; default this JVM's. */
        public Builder javaCommand(Path value) {
            this.javaCommand = Objects.requireNonNull(value, "javaCommand");
            return this;
        }

        /**
         * Starts the emulator.
         *
         * @throws UncheckedIOException when the port cannot be bound or the work directory created
         * @throws IllegalStateException when the unreserved minimum is above the account limit
         */
        public LocalLambda build() {
            if (unreservedMinimum > accountConcurrency) {
                throw new IllegalStateException("unreservedMinimum (" + unreservedMinimum + ") is above"
                        + " accountConcurrency (" + accountConcurrency + ")");
            }
            if (!Files.isExecutable(javaCommand)) {
                throw new IllegalStateException("javaCommand " + javaCommand + " is not an executable");
            }
            try {
                return new LocalLambda(new LambdaApiServer(new LambdaApiServer.Settings(port, stateDelay,
                        accountConcurrency, unreservedMinimum, initTimeout, accessKeyId, javaCommand)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local Lambda emulator", e);
            }
        }
    }
}
