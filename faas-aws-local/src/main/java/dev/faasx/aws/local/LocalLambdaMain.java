package dev.faasx.aws.local;

import dev.faasx.core.internal.CommandLine;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Runs {@link LocalLambda} on its own until the process is stopped:
 *
 * <pre>
 * java -jar faas-aws-local/target/faas-aws-local.jar --port 9001 [--account-concurrency 1000]
 *     [--unreserved-minimum 100] [--init-timeout-seconds 10] [--state-delay-ms 150]
 * </pre>
 *
 * <p>Then, for example, {@code aws --endpoint-url http://127.0.0.1:9001 --region us-east-1 lambda list-functions}
 * with any credentials.
 */
public final class LocalLambdaMain {
    private static final String USAGE = "usage: java -jar faas-aws-local.jar [--port N] [--account-concurrency N]"
            + " [--unreserved-minimum N] [--init-timeout-seconds N] [--state-delay-ms N]";
    private static final Set<String> OPTIONS = Set.of("--port", "--account-concurrency", "--unreserved-minimum",
            "--init-timeout-seconds", "--state-delay-ms");

    private LocalLambdaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalLambda.Builder builder;
        try {
            builder = parse(args);
        } catch (IllegalArgumentException e) {
            CommandLine.exitOnBadOption("faas-aws-local", USAGE, e);
            return;
        }
        if (builder == null) {
            System.out.println(USAGE);
            return;
        }
        LocalLambda lambda = builder.build();
        System.out.println("local Lambda listening on " + lambda.endpoint() + " (region " + LocalLambda.REGION + ")");
        System.out.flush();
        CommandLine.serveUntilStopped("local-lambda-shutdown", lambda);
    }

    /** The emulator the options ask for, or {@code null} when help was asked for. */
    static LocalLambda.Builder parse(String[] args) {
        Optional<CommandLine> parsed = CommandLine.parse(args, OPTIONS);
        if (parsed.isEmpty()) {
            return null;
        }
        CommandLine cli = parsed.get();
        LocalLambda.Builder builder = LocalLambda.builder();
        cli.port("--port").ifPresent(builder::port);
        cli.intNumber("--account-concurrency").ifPresent(builder::accountConcurrency);
        cli.intNumber("--unreserved-minimum").ifPresent(builder::unreservedMinimum);
        cli.number("--init-timeout-seconds").ifPresent(n -> builder.initTimeout(Duration.ofSeconds(n)));
        cli.number("--state-delay-ms").ifPresent(n -> builder.stateDelay(Duration.ofMillis(n)));
        return builder;
    }
}
