package dev.faasx.cloudflare.internal.local;

import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.core.internal.CommandLine;
import java.nio.file.Path;

/**
 * {@code java -jar faas-cloudflare-local.jar [--port 8787] [--workerd PATH] [--account ID] [--token TOKEN]
 * [--email EMAIL --key KEY] [--subdomain NAME]}: starts the local Cloudflare API, prints its base URL on stdout
 * (and the account and credentials to use on stderr), and serves until stopped.
 */
public final class LocalApiCommand {
    private LocalApiCommand() {
    }

    private static final String USAGE = "usage: java -jar faas-cloudflare-local.jar [--port 8787] [--workerd PATH]"
            + " [--account ID] [--token TOKEN] [--email EMAIL --key KEY] [--subdomain NAME]";

    public static void main(String[] args) throws InterruptedException {
        CommandLine cli = CommandLine.parseOrExit("faas-cloudflare-local", USAGE, args, "--port", "--workerd",
                "--account", "--subdomain", "--token", "--email", "--key");
        LocalCloudflareApi.Builder api = LocalCloudflareApi.builder();
        int port = 8787;
        boolean credentialGiven = false;
        try {
            port = cli.port("--port").orElse(port);
            cli.text("--account").ifPresent(api::accountId);
            cli.text("--subdomain").ifPresent(api::subdomain);
            if (cli.text("--token").isPresent()) {
                api.apiToken(cli.text("--token").get());
                credentialGiven = true;
            }
            String email = cli.text("--email").orElse(null);
            String key = cli.text("--key").orElse(null);
            if ((email == null) != (key == null)) {
                throw new IllegalArgumentException("--email and --key go together");
            }
            if (email != null) {
                api.globalApiKey(email, key);
                credentialGiven = true;
            }
        } catch (IllegalArgumentException e) {
            CommandLine.exitOnBadOption("faas-cloudflare-local", USAGE, e);
        }
        Path workerd = cli.path("--workerd").orElse(null);
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
        CommandLine.serveUntilStopped("faasx-local-cloudflare-shutdown", server, rt);
    }
}
