package dev.faasx.azure.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link LocalAzure} on its own:
 *
 * <pre>
 * java -jar faas-azure-local/target/faas-azure-local.jar --port 8085 [--data-dir DIR] [--start-timeout SECONDS]
 * </pre>
 *
 * <p>Prints one line with the endpoint once it listens, then serves until the process is stopped.
 */
public final class LocalAzureMain {
    private LocalAzureMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalAzure.Builder builder = LocalAzure.builder();
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--port" -> builder.port(Integer.parseInt(value(args, ++i)));
                    case "--data-dir" -> builder.dataDirectory(Path.of(value(args, ++i)));
                    case "--start-timeout" -> builder.handlerStartTimeout(
                            Duration.ofSeconds(Long.parseLong(value(args, ++i))));
                    case "--help", "-h" -> {
                        usage();
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("faas-azure-local: " + e.getMessage());
            usage();
            System.exit(2);
        }
        LocalAzure azure = builder.build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(azure::close, "faas-azure-local-shutdown"));
        System.out.println("faas-azure-local listening on " + azure.endpoint()
                + " (route management.azure.com, {app}.scm.azurewebsites.net and {app}.azurewebsites.net here)");
        new CountDownLatch(1).await();
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static void usage() {
        System.err.println("usage: java -jar faas-azure-local.jar [--port N] [--data-dir DIR] [--start-timeout S]");
    }
}
