package dev.faasx.digitalocean.local.internal;

import dev.faasx.digitalocean.local.LocalDigitalOcean;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar faas-digitalocean-local.jar [--port 8080] [--token TOKEN] [--namespace LABEL]
 * [--blocking-cutoff-seconds 30] [--rate-per-minute 600]}: starts the emulator, prints its base URL on stdout (and
 * the token, and the credentials of a namespace when {@code --namespace} asks for one, on stderr), and serves until
 * stopped.
 */
public final class LocalCommand {
    private LocalCommand() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalDigitalOcean.Builder builder = LocalDigitalOcean.builder().port(8080);
        String namespace = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                usage(null);
                return;
            }
            if (i + 1 >= args.length) {
                usage("missing value after " + arg);
                System.exit(2);
            }
            String value = args[++i];
            try {
                switch (arg) {
                    case "--port" -> builder.port(Integer.parseInt(value));
                    case "--token" -> builder.token(value);
                    case "--namespace" -> namespace = value;
                    case "--region" -> builder.region(value);
                    case "--blocking-cutoff-seconds" -> builder.blockingCutoff(Duration.ofSeconds(Long.parseLong(value)));
                    case "--rate-per-minute" -> builder.invocationsPerMinute(Integer.parseInt(value));
                    default -> {
                        usage("unknown option " + arg);
                        System.exit(2);
                    }
                }
            } catch (IllegalArgumentException e) {
                usage(arg + ": " + e.getMessage());
                System.exit(2);
            }
        }
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
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            local.close();
            stopped.countDown();
        }, "faasx-do-local-shutdown"));
        stopped.await();
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar faas-digitalocean-local.jar [--port 8080] [--token TOKEN]"
                + " [--namespace LABEL] [--region nyc1] [--blocking-cutoff-seconds 30] [--rate-per-minute 600]");
    }
}
