package dev.faasx.aws.local;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

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
    private LocalLambdaMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalLambda.Builder builder;
        try {
            builder = parse(args);
        } catch (IllegalArgumentException e) {
            usage(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        LocalLambda lambda = builder.build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            lambda.close();
            stopped.countDown();
        }, "local-lambda-shutdown"));
        System.out.println("local Lambda listening on " + lambda.endpoint() + " (region " + LocalLambda.REGION + ")");
        System.out.flush();
        stopped.await();
    }

    static LocalLambda.Builder parse(String[] args) {
        LocalLambda.Builder builder = LocalLambda.builder();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port" -> builder.port(number(option, value));
                case "--account-concurrency" -> builder.accountConcurrency(number(option, value));
                case "--unreserved-minimum" -> builder.unreservedMinimum(number(option, value));
                case "--init-timeout-seconds" -> builder.initTimeout(Duration.ofSeconds(number(option, value)));
                case "--state-delay-ms" -> builder.stateDelay(Duration.ofMillis(number(option, value)));
                default -> throw new IllegalArgumentException("unknown option " + option);
            }
        }
        return builder;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a whole number, was '" + value + "'");
        }
    }

    private static void usage(PrintStream out, String problem) {
        if (!problem.isEmpty()) {
            out.println(problem);
        }
        out.println("usage: java -jar faas-aws-local.jar [--port N] [--account-concurrency N]"
                + " [--unreserved-minimum N] [--init-timeout-seconds N] [--state-delay-ms N]");
    }
}
