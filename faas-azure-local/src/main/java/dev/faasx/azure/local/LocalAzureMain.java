package dev.faasx.azure.local;

import dev.faasx.core.internal.CommandLine;
import java.time.Duration;

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
    private static final String USAGE =
            "usage: java -jar faas-azure-local.jar [--port N] [--data-dir DIR] [--start-timeout SECONDS]";

    private LocalAzureMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        CommandLine cli = CommandLine.parseOrExit("faas-azure-local", USAGE, args, "--port", "--data-dir",
                "--start-timeout");
        LocalAzure.Builder builder = LocalAzure.builder();
        try {
            cli.port("--port").ifPresent(builder::port);
            cli.path("--data-dir").ifPresent(builder::dataDirectory);
            cli.number("--start-timeout").ifPresent(s -> builder.handlerStartTimeout(Duration.ofSeconds(s)));
        } catch (IllegalArgumentException e) {
            CommandLine.exitOnBadOption("faas-azure-local", USAGE, e);
        }
        LocalAzure azure = builder.build().start();
        System.out.println("faas-azure-local listening on " + azure.endpoint()
                + " (route management.azure.com, {app}.scm.azurewebsites.net and {app}.azurewebsites.net here)");
        System.out.flush();
        CommandLine.serveUntilStopped("faas-azure-local-shutdown", azure);
    }
}
