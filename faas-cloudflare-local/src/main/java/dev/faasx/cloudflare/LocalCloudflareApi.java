package dev.faasx.cloudflare;

import dev.faasx.core.internal.Checks;
import dev.faasx.core.internal.DaemonThreads;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.cloudflare.internal.local.ApiRouter;
import dev.faasx.cloudflare.internal.local.LoopbackHttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Cloudflare's v4 API for Workers, served on loopback and backed by {@link LocalWorkersRuntime}, so that every
 * uploaded Worker really runs on workerd. It implements what deploying, invoking, inspecting and deleting Workers
 * needs, with Cloudflare's envelope ({@code {success, errors[{code, message}], messages, result}}), error codes,
 * authentication and rate limit:
 * <ul>
 *   <li>{@code PUT /accounts/{account}/workers/scripts/{name}}: the multipart upload (a {@code metadata} part with
 *       {@code main_module}, {@code compatibility_date}, {@code compatibility_flags} and {@code bindings}; one part per
 *       module, typed {@code application/javascript+module}, {@code application/wasm}, {@code text/plain} or
 *       {@code application/octet-stream}); a Worker that does not load is refused with code 10021 and workerd's
 *       message, an oversized one with 10027;</li>
 *   <li>{@code GET /accounts/{account}/workers/scripts}, {@code DELETE …/scripts/{name}},
 *       {@code GET …/scripts/{name}/settings};</li>
 *   <li>{@code GET|PUT /accounts/{account}/workers/subdomain}, {@code GET|POST …/scripts/{name}/subdomain};</li>
 *   <li>{@code POST /accounts/{account}/analytics_engine/sql}: a documented subset of Analytics Engine SQL over the
 *       data points the Workers wrote;</li>
 *   <li>{@code GET /user/tokens/verify}.</li>
 * </ul>
 * A Worker enabled on workers.dev answers at {@code /workers/{name}/…} on the same port (see {@link #workerUrl}), or
 * for requests whose {@code Host} is {@code {name}.{subdomain}.workers.dev}.
 *
 * <pre>{@code
 * try (LocalCloudflareApi api = LocalCloudflareApi.builder().runtime(runtime).build();
 *      CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
 *          .credentials(CloudflareCredentials.fromEnvironment(api.environment()))
 *          .apiBaseUrl(api.baseUrl())
 *          .workerUrlTemplate(api.workerUrlTemplate())
 *          .build()) {
 *     executor.deploy(7, modules, FaasConfig.defaults()).join();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the server, and the runtime too when this API created it.
 */
public final class LocalCloudflareApi implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final LocalWorkersRuntime runtime;
    private final boolean ownsRuntime;
    private final String accountId;
    private final String apiToken;
    private final String email;
    private final String apiKey;

    private LocalCloudflareApi(Builder b) throws IOException {
        this.ownsRuntime = b.runtime == null;
        this.runtime = ownsRuntime ? LocalWorkersRuntime.builder().build() : b.runtime;
        this.accountId = b.accountId;
        List<String> tokens = new ArrayList<>(b.tokens);
        if (tokens.isEmpty() && b.globalKeys.isEmpty()) {
            tokens.add(randomHex(20));
        }
        this.apiToken = tokens.isEmpty() ? null : tokens.get(0);
        this.email = tokens.isEmpty() ? b.globalKeys.keySet().iterator().next() : null;
        this.apiKey = tokens.isEmpty() ? b.globalKeys.values().iterator().next() : null;
        this.threads = Executors.newFixedThreadPool(b.threads, DaemonThreads.named("faasx-local-cloudflare"));
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            ApiRouter router = new ApiRouter(new ApiRouter.Settings(accountId, b.subdomain, tokens, b.globalKeys,
                    b.maxScriptBytes, b.rateLimit, b.rateWindow, b.workerTimeout), runtime, client);
            this.server = LoopbackHttpServer.create(b.port, 128);
            server.setExecutor(threads);
            server.createContext("/", router);
            server.start();
        } catch (IOException | RuntimeException e) {
            threads.shutdownNow();
            if (ownsRuntime) {
                runtime.close();
            }
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Cloudflare's Workers plans, for their script size limits (after gzip compression). */
    public enum Plan {
        /** Workers Free: 3 MiB. */
        FREE(3L * 1024 * 1024),
        /** Workers Paid: 10 MiB. */
        PAID(10L * 1024 * 1024);

        private final long maxScriptBytes;

        Plan(long maxScriptBytes) {
            this.maxScriptBytes = maxScriptBytes;
        }

        /** The largest script of the plan, after gzip compression. */
        public long maxScriptBytes() {
            return maxScriptBytes;
        }
    }

    /** The port the API listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The API's base URL, {@code http://127.0.0.1:<port>/client/v4}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + "/client/v4");
    }

    /** The account id the API serves. */
    public String accountId() {
        return accountId;
    }

    /** The first API token this API accepts; empty when only global API keys were configured. */
    public Optional<String> apiToken() {
        return Optional.ofNullable(apiToken);
    }

    /**
     * The environment a Cloudflare client needs to use this API, as Cloudflare's tools read it:
     * {@code CLOUDFLARE_ACCOUNT_ID}, {@code CLOUDFLARE_API_BASE_URL} and {@code CLOUDFLARE_API_TOKEN} (or, when only
     * a global API key was configured, {@code CLOUDFLARE_EMAIL} and {@code CLOUDFLARE_API_KEY}). Pass it to
     * {@code CloudflareCredentials.fromEnvironment(map)} or to a Wrangler process.
     */
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CLOUDFLARE_ACCOUNT_ID", accountId);
        env.put("CLOUDFLARE_API_BASE_URL", baseUrl().toString());
        if (apiToken != null) {
            env.put("CLOUDFLARE_API_TOKEN", apiToken);
        } else {
            env.put("CLOUDFLARE_EMAIL", email);
            env.put("CLOUDFLARE_API_KEY", apiKey);
        }
        return Map.copyOf(env);
    }

    /** Where the Worker called {@code scriptName} answers through this API's port, once enabled on workers.dev. */
    public URI workerUrl(String scriptName) {
        return URI.create(workerUrlTemplate().replace("{script}", scriptName));
    }

    /** The template of Worker URLs, with a {@code {script}} placeholder, for the executor's builder. */
    public String workerUrlTemplate() {
        return "http://127.0.0.1:" + port() + "/workers/{script}/";
    }

    /** The runtime the Workers run on. */
    public LocalWorkersRuntime runtime() {
        return runtime;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        if (ownsRuntime) {
            runtime.close();
        }
    }

    /** Configures a {@link LocalCloudflareApi}. Not thread-safe. */
    public static final class Builder {
        private LocalWorkersRuntime runtime;
        private int port;
        private String accountId = randomHex(16);
        private String subdomain = "local";
        private final List<String> tokens = new ArrayList<>();
        private final Map<String, String> globalKeys = new LinkedHashMap<>();
        private long maxScriptBytes = 10L * 1024 * 1024;
        private int rateLimit = 1200;
        private Duration rateWindow = Duration.ofMinutes(5);
        private Duration workerTimeout = Duration.ofMinutes(15);
        private int threads = 32;

        private Builder() {
        }

        /** The runtime to run Workers on; by default the API starts (and closes) its own. */
        public Builder runtime(LocalWorkersRuntime value) {
            if (value == null) {
                throw new IllegalArgumentException("runtime must not be null");
            }
            this.runtime = value;
            return this;
        }

        /** The loopback port; 0 (the default) picks a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** The account id served; by default a random 32-hex-digit id. */
        public Builder accountId(String value) {
            if (value == null || !value.matches("[A-Za-z0-9_-]{1,64}")) {
                throw new IllegalArgumentException("accountId must be 1-64 letters, digits, '-' or '_', was " + value);
            }
            this.accountId = value;
            return this;
        }

        /** The workers.dev subdomain reported for the account (default {@code local}). */
        public Builder subdomain(String value) {
            if (value == null || !value.matches("[a-z0-9][a-z0-9-]{0,62}")) {
                throw new IllegalArgumentException("subdomain must be a DNS label, was " + value);
            }
            this.subdomain = value;
            return this;
        }

        /** An API token to accept; when no credential is configured a random token is made. */
        public Builder apiToken(String value) {
            checkSecret(value, "apiToken");
            tokens.add(value);
            return this;
        }

        /** An e-mail and global API key to accept. */
        public Builder globalApiKey(String email, String key) {
            checkSecret(email, "globalApiKey e-mail");
            checkSecret(key, "globalApiKey key");
            globalKeys.put(email, key);
            return this;
        }

        /** The size limit of a Workers plan: {@link Plan#FREE} 3 MiB, {@link Plan#PAID} 10 MiB, after compression. */
        public Builder plan(Plan value) {
            if (value == null) {
                throw new IllegalArgumentException("plan must not be null");
            }
            return maxScriptBytes(value.maxScriptBytes());
        }

        /**
         * The largest accepted script after gzip compression (its modules together), as Cloudflare measures it;
         * default 10 MiB, the Workers Paid plan's limit. Uncompressed, a script may have at most 64 MiB.
         */
        public Builder maxScriptBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxScriptBytes must be positive, was " + value);
            }
            this.maxScriptBytes = value;
            return this;
        }

        /** API requests allowed per window before 429 (default 1200 per 5 minutes, Cloudflare's limit). */
        public Builder rateLimit(int requests, Duration window) {
            if (requests < 1) {
                throw new IllegalArgumentException("rateLimit requests must be at least 1, was " + requests);
            }
            Checks.positive(window, "rateLimit window");
            this.rateLimit = requests;
            this.rateWindow = window;
            return this;
        }

        /** How long a proxied Worker call may take (default 15 minutes). */
        public Builder workerTimeout(Duration value) {
            this.workerTimeout = Checks.positive(value, "workerTimeout");
            return this;
        }

        /** Starts serving. */
        public LocalCloudflareApi build() {
            try {
                return new LocalCloudflareApi(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local Cloudflare API on port " + port, e);
            }
        }
    }

    private static void checkSecret(String value, String name) {
        if (value == null || !value.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException(name + " must be non-empty printable ASCII without spaces");
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
