package dev.faasx.digitalocean.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.digitalocean.local.internal.ApiRouter;
import dev.faasx.digitalocean.local.internal.Runtimes;
import dev.faasx.digitalocean.local.internal.Settings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DigitalOcean Functions on loopback: DigitalOcean's namespaces API and the Apache OpenWhisk REST API that each
 * namespace's {@code api_host} serves, on one port, running the actions for real.
 *
 * <ul>
 *   <li>{@code GET|POST /v2/functions/namespaces}, {@code GET|DELETE /v2/functions/namespaces/{id}} with
 *       {@code Authorization: Bearer <token>}; at most {@link Builder#namespaceLimit(int) 10} namespaces; a
 *       namespace carries {@code api_host} (this server), {@code namespace}, {@code uuid} and {@code key}.</li>
 *   <li>{@code PUT|GET|DELETE /api/v1/namespaces/{ns|_}/actions/{name}} ({@code overwrite=true} to replace),
 *       {@code GET …/actions}, {@code POST …/actions/{name}?blocking=true&result=true} (blocking, non-blocking, and
 *       202 with the activation id when a blocking call outlives the {@link Builder#blockingCutoff(Duration)
 *       cutoff}), {@code GET …/activations[/{id}[/logs|/result]]}, with HTTP Basic {@code uuid:key}, OpenWhisk's
 *       limits (memory, timeout, 1 MB parameters and results, invocations per minute and in flight, answered 429
 *       with a {@code Retry-After}) and its error bodies {@code {"error":…,"code":…}}.</li>
 * </ul>
 *
 * <p>Actions run as OpenWhisk runs them: {@code python:*} actions with this machine's {@code python3} and
 * {@code nodejs:*} actions with {@code node}, each instance a process that is initialised once ({@code main(args)}
 * found in {@code __main__.py} or {@code index.js}, init parameters as its environment) and then reused, one
 * activation at a time, while it stays warm; a new instance is a cold start and its activation record carries
 * {@code initTime}. Timeouts end the instance and everything it started. {@code go:*} and {@code php:*} actions are
 * accepted but end in a whisk internal error, as these runtimes are not installed here. Memory limits are recorded,
 * not enforced.
 *
 * <pre>{@code
 * try (LocalDigitalOcean local = LocalDigitalOcean.builder().build()) {
 *     URI api = local.baseUrl();            // for the executor's apiBaseUrl(...)
 *     String token = local.token();         // a Bearer token the namespaces API accepts
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops the server and every action instance.
 */
public final class LocalDigitalOcean implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads;
    private final ApiRouter router;
    private final String token;
    private final String region;
    private final Path workDir;
    private final boolean python;
    private final boolean node;

    private LocalDigitalOcean(Builder b) throws IOException {
        this.token = b.tokens.isEmpty() ? randomToken() : b.tokens.get(0);
        List<String> tokens = new ArrayList<>(b.tokens);
        if (tokens.isEmpty()) {
            tokens.add(token);
        }
        this.region = b.region;
        this.workDir = Files.createTempDirectory("faasx-do-local-");
        Path py = b.python != null ? b.python : Runtimes.findPython().orElse(null);
        Path nd = b.node != null ? b.node : Runtimes.find("node", "nodejs").orElse(null);
        this.python = py != null;
        this.node = nd != null;
        Settings settings = new Settings(tokens, Settings.REGIONS, b.namespaceLimit, b.invocationsPerMinute,
                b.concurrentInvocations, b.blockingCutoff, b.payloadLimitBytes, b.codeLimitBytes, 100, 900_000,
                128, 1024, b.keepWarm);
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            // The JDK server writes headers and body as separate segments; without this, Nagle's algorithm holds
            // the body back for a delayed acknowledgement.
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.port), 256);
        this.router = new ApiRouter(settings, new ObjectMapper(), new Runtimes(py, nd, workDir), workDir,
                () -> "http://127.0.0.1:" + server.getAddress().getPort());
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "faasx-do-local-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.createContext("/", router);
        server.setExecutor(threads);
        server.start();
    }

    /** A builder with DigitalOcean's limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** The base URL of both APIs, for example {@code http://127.0.0.1:49152}; also every namespace's api_host. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A token the namespaces API accepts: the first one given to the builder, or a random one. */
    public String token() {
        return token;
    }

    /** Creates a namespace directly, without the API, and answers its credentials. */
    public LocalNamespace createNamespace(String label) {
        ObjectNode n = router.createNamespace(Objects.requireNonNull(label, "label"), region);
        return new LocalNamespace(n.get("namespace").asText(), URI.create(n.get("api_host").asText()),
                n.get("uuid").asText(), n.get("key").asText());
    }

    /** Whether python actions can run here (a {@code python3} was found or given). */
    public boolean runsPython() {
        return python;
    }

    /** Whether nodejs actions can run here (a {@code node} was found or given). */
    public boolean runsNode() {
        return node;
    }

    /** How many action instances are warm and idle now. */
    public int warmInstances() {
        return router.idleInstances();
    }

    @Override
    public void close() {
        server.stop(0);
        router.close();
        threads.shutdownNow();
        try (var files = Files.walk(workDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless
        }
    }

    private static String randomToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return "dop_v1_" + HexFormat.of().formatHex(b);
    }

    /**
     * A namespace's OpenWhisk credentials.
     *
     * @param namespace the namespace, for example {@code fn-3c1f…}
     * @param apiHost   where its OpenWhisk API is served
     * @param uuid      the user part of HTTP Basic
     * @param key       the password part of HTTP Basic
     */
    public record LocalNamespace(String namespace, URI apiHost, String uuid, String key) {
        /** {@code uuid:key}, as OpenWhisk clients take their auth. */
        public String auth() {
            return uuid + ":" + key;
        }

        @Override
        public String toString() {
            return "LocalNamespace[" + namespace + " at " + apiHost + "]";
        }
    }

    /** Builds a {@link LocalDigitalOcean}. Not thread-safe. */
    public static final class Builder {
        private int port;
        private final List<String> tokens = new ArrayList<>();
        private String region = "nyc1";
        private int namespaceLimit = 10;
        private int invocationsPerMinute = 600;
        private int concurrentInvocations = 120;
        private Duration blockingCutoff = Duration.ofSeconds(30);
        private long payloadLimitBytes = 1024 * 1024;
        private long codeLimitBytes = 48L * 1024 * 1024;
        private Duration keepWarm = Duration.ofMinutes(10);
        private Path python;
        private Path node;

        private Builder() {
        }

        /** The port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** A Bearer token the namespaces API accepts (may be called more than once); default: one random token. */
        public Builder token(String value) {
            if (Objects.requireNonNull(value, "token").isBlank()) {
                throw new IllegalArgumentException("token must not be blank");
            }
            tokens.add(value);
            return this;
        }

        /** The region of namespaces made with {@link #createNamespace}; default {@code nyc1}. */
        public Builder region(String value) {
            if (!Settings.REGIONS.contains(value)) {
                throw new IllegalArgumentException("region must be one of " + Settings.REGIONS + ", was " + value);
            }
            this.region = value;
            return this;
        }

        /** Namespaces per account; DigitalOcean allows 10. */
        public Builder namespaceLimit(int value) {
            this.namespaceLimit = positive(value, "namespaceLimit");
            return this;
        }

        /** Invocations per namespace in any minute before 429; DigitalOcean allows 600. */
        public Builder invocationsPerMinute(int value) {
            this.invocationsPerMinute = positive(value, "invocationsPerMinute");
            return this;
        }

        /** Activations in flight per namespace before 429; DigitalOcean allows 120. */
        public Builder concurrentInvocations(int value) {
            this.concurrentInvocations = positive(value, "concurrentInvocations");
            return this;
        }

        /** How long a blocking invocation waits before it is answered 202 with the activation id; DO: 30 s. */
        public Builder blockingCutoff(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("blockingCutoff must be positive");
            }
            this.blockingCutoff = value;
            return this;
        }

        /** The largest parameters and result, in bytes; DigitalOcean allows 1 MB. */
        public Builder payloadLimitBytes(long value) {
            this.payloadLimitBytes = positive(value, "payloadLimitBytes");
            return this;
        }

        /** The largest action code, in bytes; DigitalOcean allows 48 MB. */
        public Builder codeLimitBytes(long value) {
            this.codeLimitBytes = positive(value, "codeLimitBytes");
            return this;
        }

        /** How long an idle instance stays warm; default 10 minutes. */
        public Builder keepWarm(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("keepWarm must not be negative");
            }
            this.keepWarm = value;
            return this;
        }

        /** The python interpreter for python actions; default: {@code python3} on the PATH. */
        public Builder python(Path value) {
            this.python = value;
            return this;
        }

        /** The node binary for nodejs actions; default: {@code node} on the PATH. */
        public Builder node(Path value) {
            this.node = value;
            return this;
        }

        /** Starts the emulator. */
        public LocalDigitalOcean build() {
            try {
                return new LocalDigitalOcean(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local DigitalOcean Functions emulator", e);
            }
        }

        private static int positive(int value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        private static long positive(long value, String name) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
