package dev.faasx.cloudflare.internal.local;

import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar faas-cloudflare-local.jar [--port 8787] [--workerd PATH] [--account ID] [--token TOKEN]
 * [--email EMAIL --key KEY] [--subdomain NAME]}: starts the local Cloudflare API, prints its base URL on stdout
 * (and the account and credentials to use on stderr), and serves until stopped.
 */
public final class LocalApiCommand {
    private LocalApiCommand() {
    }

    public static void main(String[] args) throws InterruptedException {
        int port = 8787;
        Path workerd = null;
        LocalCloudflareApi.Builder api = LocalCloudflareApi.builder();
        String email = null;
        String key = null;
        boolean credentialGiven = false;
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
                    case "--port" -> port = Integer.parseInt(value);
                    case "--workerd" -> workerd = Path.of(value);
                    case "--account" -> api.accountId(value);
                    case "--subdomain" -> api.subdomain(value);
                    case "--token" -> {
                        api.apiToken(value);
                        credentialGiven = true;
                    }
                    case "--email" -> email = value;
                    case "--key" -> key = value;
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
        if ((email == null) != (key == null)) {
            usage("--email and --key go together");
            System.exit(2);
        }
        if (email != null) {
            api.globalApiKey(email, key);
            credentialGiven = true;
        }
        LocalWorkersRuntime.Builder runtime = LocalWorkersRuntime.builder();
        if (workerd != null) {
            runtime.workerdBinary(workerd);
        }
        LocalWorkersRuntime rt;
        try {
            rt = runtime.build();
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        LocalCloudflareApi server = api.runtime(rt).port(port).build();
        System.out.println(server.baseUrl());
        System.out.flush();
        System.err.println("account id: " + server.accountId());
        if (!credentialGiven) {
            System.err.println("API token:  " + server.apiToken().orElse("(global API key)"));
        }
        System.err.println("Workers:    " + server.workerUrlTemplate());
        // For Wrangler and other Cloudflare tools; a token given on the command line is not echoed.
        System.err.println("for wrangler: export CLOUDFLARE_API_BASE_URL=" + server.baseUrl() + " CLOUDFLARE_ACCOUNT_ID="
                + server.accountId() + (credentialGiven ? "" : server.apiToken().map(t -> " CLOUDFLARE_API_TOKEN=" + t)
                .orElse("")));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            rt.close();
            stopped.countDown();
        }, "faasx-local-cloudflare-shutdown"));
        stopped.await();
    }

    private static void usage(String problem) {
        if (problem != null) {
            System.err.println(problem);
        }
        System.err.println("usage: java -jar faas-cloudflare-local.jar [--port 8787] [--workerd PATH] [--account ID]"
                + " [--token TOKEN] [--email EMAIL --key KEY] [--subdomain NAME]");
    }
}
