package dev.faasx.digitalocean.local.internal;

import dev.faasx.digitalocean.local.LocalDigitalOcean;
import dev.faasx.core.internal.CommandLine;
import java.time.Duration;

/**
 * {@code java -jar faas-digitalocean-local.jar [--port 8080] [--token TOKEN] [--namespace LABEL]
 * [--blocking-cutoff-seconds 30] [--rate-per-minute 600]}: starts the emulator, prints its base URL on stdout (and
 * the token, and the credentials of a namespace when {@code --namespace} asks for one, on stderr), and serves until
 * stopped.
 */
public final class LocalCommand {
    private static final String USAGE = "usage: java -jar faas-digitalocean-local.jar [--port 8080] [--token TOKEN]"
            + " [--namespace LABEL] [--region nyc1] [--blocking-cutoff-seconds 30] [--rate-per-minute 600]";

    private LocalCommand() {
    }

    public static void main(String[] args) throws InterruptedException {
        CommandLine cli = CommandLine.parseOrExit("faas-digitalocean-local", USAGE, args, "--port", "--token",
                "--namespace", "--region", "--blocking-cutoff-seconds", "--rate-per-minute");
        LocalDigitalOcean.Builder builder = LocalDigitalOcean.builder().port(8080);
        try {
            cli.port("--port").ifPresent(builder::port);
            cli.text("--token").ifPresent(builder::token);
            cli.text("--region").ifPresent(builder::region);
            cli.number("--blocking-cutoff-seconds").ifPresent(s -> builder.blockingCutoff(Duration.ofSeconds(s)));
            cli.intNumber("--rate-per-minute").ifPresent(builder::invocationsPerMinute);
        } catch (IllegalArgumentException e) {
            CommandLine.exitOnBadOption("faas-digitalocean-local", USAGE, e);
        }
        String namespace = cli.text("--namespace").orElse(null);
        LocalDigitalOcean local = builder.build();
        System.out.println(local.baseUrl());
        System.out.flush();
        System.err.println("token:     " + local.token());
        System.err.println("python:    " + (local.runsPython() ? "runs python actions" : "python3 not found"));
        System.err.println("node:      " + (local.runsNode() ? "runs nodejs actions" : "node not found"));
        if (namespace != null) {
            LocalDigitalOcean.LocalNamespace ns = local.createNamespace(namespace);
            System.err.println("namespace: " + ns.namespace() + " (label " + namespace + ")");
            System.err.println("api host:  " + ns.apiHost());
            System.err.println("auth:      " + ns.auth());
        }
        CommandLine.serveUntilStopped("faasx-do-local-shutdown", local);
    }
}
