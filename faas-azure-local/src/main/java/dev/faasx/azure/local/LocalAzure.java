package dev.faasx.azure.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.azure.local.internal.Resources;
import dev.faasx.azure.local.internal.Router;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A local Azure Functions: the Resource Manager subset a function app needs (resource groups, plans, sites, app
 * settings, keys), Kudu zip deploy, and a Functions host per app that starts the deployed custom handler as a real
 * process and forwards invocations to it in the host's own shapes, enforcing function keys. All on one loopback
 * port; requests are told apart by the host they were meant for ({@code X-Forwarded-Host} or {@code Host}):
 * {@code management.azure.com}, {@code {app}.scm.azurewebsites.net}, {@code {app}.azurewebsites.net}.
 *
 * <p>Packages are kept on the local disk under {@link Builder#dataDirectory}; no storage account (and so no
 * Azurite) is needed. Any bearer token is accepted: this is a test double, not a security boundary, and it listens
 * on 127.0.0.1 only.
 *
 * <pre>{@code
 * try (LocalAzure azure = LocalAzure.builder().build().start()) {
 *     URI endpoint = azure.endpoint();   // route Azure's hosts here
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LocalAzure implements AutoCloseable {
    private final Builder settings;
    private HttpServer server;
    private ExecutorService threads;
    private Resources resources;
    private Router router;
    private Path dataDirectory;
    private boolean ownsDataDirectory;
    private HttpClient client;

    private LocalAzure(Builder settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts serving; returns this. */
    public synchronized LocalAzure start() {
        if (server != null) {
            return this;
        }
        try {
            if (settings.dataDirectory == null) {
                dataDirectory = Files.createTempDirectory("faasx-azure-local");
                ownsDataDirectory = true;
            } else {
                dataDirectory = Files.createDirectories(settings.dataDirectory);
            }
            AtomicInteger count = new AtomicInteger();
            threads = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "faasx-azure-local-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).executor(threads).build();
            ObjectMapper json = JsonMapper.builder().build();
            resources = new Resources(json, dataDirectory, client, settings.handlerStartTimeout);
            router = new Router(resources);
            if (System.getProperty("sun.net.httpserver.nodelay") == null) {
                System.setProperty("sun.net.httpserver.nodelay", "true");
            }
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port), 256);
            server.setExecutor(threads);
            server.createContext("/", router::handle);
            server.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local Azure emulator on port " + settings.port, e);
        }
    }

    /** The port it listens on. */
    public int port() {
        return server().getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port}: where a client routes Azure's hosts to. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Where the emulator keeps the apps' files. */
    public Path dataDirectory() {
        server();
        return dataDirectory;
    }

    /**
     * Answers the next {@code times} requests with {@code method} (any when null) whose path contains a match of
     * {@code pathRegex} with {@code status} and an ARM error body {@code {"error":{"code","message"}}}, plus
     * {@code Retry-After} when {@code retryAfterSeconds} is not null. For testing how clients handle failures.
     */
    public void failNext(String method, String pathRegex, int times, int status, String code, String message,
                         Integer retryAfterSeconds) {
        server();
        router.addFault(new Router.Fault(method, Pattern.compile(pathRegex), status, code, message, retryAfterSeconds,
                new AtomicInteger(times)));
    }

    /**
     * Makes the next Kudu zip deploy (to any app) end as failed (deployment status 3) with {@code message}, as a
     * failed build or extraction would; the app keeps what it ran before.
     */
    public void failNextDeployment(String message) {
        server();
        router.failNextDeployment(Objects.requireNonNull(message, "message"));
    }

    /** Forgets faults that have not been used. */
    public void clearFaults() {
        server();
        router.clearFaults();
    }

    /** Stops the server and every custom handler, and removes a temporary data directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        resources.close();
        threads.shutdownNow();
        if (ownsDataDirectory) {
            try {
                deleteTree(dataDirectory);
            } catch (IOException e) {
                // A temporary directory; the OS cleans it eventually.
            }
        }
        server = null;
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private synchronized HttpServer server() {
        if (server == null) {
            throw new IllegalStateException("the emulator is not running: call start()");
        }
        return server;
    }

    /** Configures a {@link LocalAzure}. Not thread-safe. */
    public static final class Builder {
        private int port;
        private Path dataDirectory;
        private Duration handlerStartTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The port; 0 (the default) picks a free one. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** Where apps' files are kept; a temporary directory, removed on close, by default. */
        public Builder dataDirectory(Path value) {
            this.dataDirectory = Objects.requireNonNull(value, "dataDirectory");
            return this;
        }

        /** How long a custom handler may take to listen on its port before the host gives up; 30 s by default. */
        public Builder handlerStartTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("handlerStartTimeout must be positive");
            }
            this.handlerStartTimeout = value;
            return this;
        }

        public LocalAzure build() {
            return new LocalAzure(this);
        }
    }
}
