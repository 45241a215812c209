package dev.faasx.gcp.local.internal;

import dev.faasx.core.internal.CommandLine;
import dev.faasx.gcp.local.LocalCloudFunctions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code java -jar faas-gcp-local.jar [--port 8089] [--http-port 0] [--project faasx-local]
 * [--credentials FILE] [--invoker-jar PATH]}: starts the local Cloud Functions API, prints
 * {@code 127.0.0.1:<port>} (the gRPC endpoint) on stdout, and on stderr the token endpoint and the service-account
 * key file that obtains ID tokens from it; serves until stopped.
 */
public final class LocalCommand {
    private LocalCommand() {
    }

    /** What the command line asked for. */
    record Options(int port, int httpPort, String project, Path credentials, Path invokerJar) {
    }

    public static void main(String[] args) throws InterruptedException, IOException {
        Options options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            usage(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        if (options == null) {
            usage(System.out, null);
            return;
        }
        LocalCloudFunctions.Builder builder = LocalCloudFunctions.builder().grpcPort(options.port())
                .httpPort(options.httpPort()).projectId(options.project());
        if (options.invokerJar() != null) {
            builder.invokerJar(options.invokerJar());
        }
        LocalCloudFunctions gcf;
        try {
            gcf = builder.build();
        } catch (RuntimeException e) {
            System.err.println("cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Path credentials = options.credentials() != null ? options.credentials()
                : Files.createTempFile("faasx-gcp-local-credentials-", ".json");
        gcf.writeCredentials(credentials);
        System.out.println(gcf.grpcTarget());
        System.out.flush();
        System.err.println("project:      " + gcf.projectId());
        System.err.println("token URI:    " + gcf.tokenUri());
        System.err.println("credentials:  " + credentials + " (GOOGLE_APPLICATION_CREDENTIALS for ID tokens)");
        CommandLine.serveUntilStopped("faasx-gcp-local-stop", gcf);
    }

    /** The options, or {@code null} when help was asked for. */
    static Options parse(String[] args) {
        Optional<CommandLine> parsed = CommandLine.parse(args, Set.of("--port", "--http-port", "--project",
                "--credentials", "--invoker-jar"));
        if (parsed.isEmpty()) {
            return null;
        }
        CommandLine cli = parsed.get();
        return new Options(cli.port("--port").orElse(8089), cli.port("--http-port").orElse(0),
                cli.text("--project").orElse("faasx-local"), cli.path("--credentials").orElse(null),
                cli.path("--invoker-jar").orElse(null));
    }

    private static void usage(PrintStream out, String problem) {
        if (problem != null) {
            out.println("faas-gcp-local: " + problem);
        }
        out.println("usage: java -jar faas-gcp-local.jar [--port 8089] [--http-port 0] [--project faasx-local]"
                + " [--credentials FILE] [--invoker-jar PATH]");
        out.println("  --port         loopback port of the Cloud Functions v2 gRPC API (0: any free port)");
        out.println("  --http-port    loopback port of the upload and token endpoints (0: any free port)");
        out.println("  --project      project id of the service account whose ID tokens functions accept");
        out.println("  --credentials  where to write that service account's JSON key file");
        out.println("  --invoker-jar  Google's java-function-invoker 2.0.0 JAR (default: beside this JAR)");
    }
}
