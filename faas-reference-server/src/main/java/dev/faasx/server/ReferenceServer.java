package dev.faasx.server;

import dev.faasx.core.spec.SpecCodec;
import dev.faasx.server.internal.exec.ExecServices;
import dev.faasx.server.internal.function.FunctionRegistry;
import dev.faasx.server.internal.http.HttpApi;
import dev.faasx.server.internal.metrics.ServerMetrics;
import dev.faasx.server.internal.sandbox.Confinement;
import dev.faasx.server.internal.store.FunctionStore;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference implementation of the faasx Custom FaaS Platform spec (v1 plus the faasx extensions): deploys
 * {@code bootstrap} zips into a data directory, runs them as one process per invocation or as persistent workers,
 * and serves every endpoint of the spec over HTTP (Undertow).
 *
 * <p>Runs as an executable jar ({@link ReferenceServerMain}) or embedded, for example in tests, on a free port:
 *
 * <pre>{@code
 * try (ReferenceServer server = ReferenceServer.builder()
 *         .port(0)
 *         .dataDirectory(Files.createTempDirectory("faasx"))
 *         .build()
 *         .start()) {
 *     URI base = server.baseUri(); // http://127.0.0.1:41234
 *     // PUT base + "/api/functions/echo" with a bootstrap zip, then POST .../echo/invoke
 * }
 * }</pre>
 *
 * <p>Functions and their configuration persist in the data directory and are served again after a restart. Without
 * an API key the server binds to the loopback address unless told otherwise; with one, every request must carry
 * {@code Authorization: Bearer KEY}. {@link #close()} stops gracefully: new requests are refused, requests in
 * progress get up to the shutdown grace period to finish, and invocations still running after it are stopped and
 * answered with an explicit error.
 *
 * <p>Thread-safe. {@link #start()} and {@link #close()} may each be called once; close is idempotent.
 */
public final class ReferenceServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReferenceServer.class);

    private final int requestedPort;
    private final Path dataDirectory;
    private final Optional<String> apiKey;
    private final String bindAddress;
    private final ServerLimits limits;
    private final Duration shutdownGrace;
    private final Isolation isolation;
    private final boolean functionNetwork;
    private final List<Path> functionReadOnlyPaths;
    private final Object lifecycle = new Object();

    private volatile URI baseUri;
    private Undertow undertow;
    private HttpApi api;
    private FunctionRegistry registry;
    private ExecServices services;
    private Confinement confinement;
    private volatile String startupSummary = "";
    private ServerMetrics metrics;
    private ExecutorService invocations;
    private ExecutorService management;
    private ExecutorService uploads;
    private boolean started;
    private boolean closed;

    private ReferenceServer(Builder b) {
        this.requestedPort = b.port;
        this.dataDirectory = Objects.requireNonNull(b.dataDirectory, "dataDirectory must be set");
        this.apiKey = Optional.ofNullable(b.apiKey);
        this.bindAddress = b.bindAddress;
        this.limits = b.limits;
        this.shutdownGrace = b.shutdownGrace;
        this.isolation = b.isolation;
        this.functionNetwork = b.functionNetwork;
        List<Path> readOnly = new ArrayList<>(b.functionReadOnlyPaths);
        readOnly.add(Path.of(System.getProperty("java.home")));
        this.functionReadOnlyPaths = List.copyOf(readOnly);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens the data directory, serves the functions stored there and starts listening.
     *
     * @return this server
     * @throws UncheckedIOException when the data directory cannot be used or the port cannot be bound
     * @throws IllegalStateException when called twice
     */
    public ReferenceServer start() {
        synchronized (lifecycle) {
            if (started) {
                throw new IllegalStateException("the server was already started");
            }
            started = true;
            try {
                doStart();
            } catch (IOException e) {
                closeResources();
                throw new UncheckedIOException("cannot start the reference server: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                closeResources();
                throw e;
            }
        }
        return this;
    }

    private void doStart() throws IOException {
        Files.createDirectories(dataDirectory);
        SpecCodec codec = SpecCodec.create();
        FunctionStore store = FunctionStore.open(dataDirectory, codec);
        confinement = Confinement.create(isolation, functionNetwork, functionReadOnlyPaths, limits, dataDirectory);
        confinement.fallbackReason().ifPresent(reason -> LOG.warn("functions run WITHOUT a sandbox, with the "
                + "rights of the server's user: {}; install bubblewrap or pass --isolation none to silence this",
                reason));
        services = new ExecServices(limits, confinement);
        metrics = new ServerMetrics();
        invocations = new ThreadPoolExecutor(0, limits.maxInFlight(), 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), ExecServices.daemonThreads("faasx-invoke"));
        management = new ThreadPoolExecutor(0, 64, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                ExecServices.daemonThreads("faasx-manage"));
        uploads = new ThreadPoolExecutor(0, 16, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                ExecServices.daemonThreads("faasx-upload"));
        registry = new FunctionRegistry(store, services, metrics, codec);
        int loaded = registry.loadStored();
        api = new HttpApi(registry, metrics, codec, limits, apiKey, invocations, management, uploads,
                () -> baseUri);
        int idleMillis = (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis());
        int bodyMillis = (int) Math.min(Integer.MAX_VALUE, limits.requestBodyTimeout().toMillis());
        undertow = Undertow.builder()
                .addHttpListener(requestedPort, bindAddress)
                .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
                .setWorkerThreads(2)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, false)
                .setServerOption(UndertowOptions.MAX_HEADER_SIZE, 64 * 1024)
                // Paths reach the handler undecoded: a bad escape ("%zz") is refused there with a JSON body, not by
                // the parser with an empty one; function ids never need escapes.
                .setServerOption(UndertowOptions.DECODE_URL, false)
                .setServerOption(UndertowOptions.IDLE_TIMEOUT, idleMillis)
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, idleMillis)
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, bodyMillis)
                // A blocking read of an upload that stalls this long fails (and the upload is deleted).
                .setSocketOption(org.xnio.Options.READ_TIMEOUT, bodyMillis)
                // Answers 100 Continue only once a handler reads the body: a refusal (409, 413) goes out first.
                .setHandler(new io.undertow.server.handlers.HttpContinueReadHandler(api))
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            throw new IOException("cannot listen on " + bindAddress + ":" + requestedPort + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
        baseUri = URI.create("http://" + uriHost(bound.getAddress()) + ":" + bound.getPort());
        String boundAt = bound.getAddress().getHostAddress() + ":" + bound.getPort();
        startupSummary = "bound to " + boundAt + "; " + confinement.describe();
        LOG.info("faasx reference server listening on {} ({}; data directory {}, {} function(s) restored)", baseUri,
                startupSummary, dataDirectory, loaded);
        if (apiKey.isEmpty()) {
            String rights = confinement.isolation() == Isolation.SANDBOX ? "with the sandbox's rights"
                    : "with the rights of the server's user";
            LOG.warn(isLoopback(bindAddress)
                    ? "no API key set: listening on the loopback address only; anyone on this machine can deploy "
                    + "and run code, " + rights + " (only loopback Host names, same-origin and JSON invocations "
                    + "are accepted)"
                    : "no API key set and listening on {}: anyone who can reach this address can deploy and run "
                    + "code, " + rights, bindAddress);
        }
    }

    /** The URI clients use, for example {@code http://127.0.0.1:41234}; a wildcard bind is reached via loopback. */
    public URI baseUri() {
        URI uri = baseUri;
        if (uri == null) {
            throw new IllegalStateException("the server is not started");
        }
        return uri;
    }

    /** The port the server listens on (the chosen one when it was built with port 0). */
    public int port() {
        return baseUri().getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The isolation in force: {@link Isolation#SANDBOX} or, where asked or where no sandbox works, NONE. */
    public Isolation isolation() {
        if (confinement == null) {
            throw new IllegalStateException("the server is not started");
        }
        return confinement.isolation();
    }

    /**
     * What the server said at start about itself: the address it is bound to, the isolation and the limits in
     * force, for example {@code bound to 127.0.0.1:8080; isolation sandbox (bubblewrap 0.8.0, ...); limits ...}.
     */
    public String startupSummary() {
        return startupSummary;
    }

    /** The limits this server enforces. */
    public ServerLimits limits() {
        return limits;
    }

    /**
     * Stops gracefully: refuses new requests, waits up to the shutdown grace period for requests in progress, stops
     * invocations still running (they are answered with 503 {@code UNHEALTHY}), then releases every process and
     * thread. Deployed functions stay in the data directory. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed || !started) {
                closed = true;
                return;
            }
            closed = true;
        }
        if (api != null) {
            api.startClosing();
            if (!awaitRequests(shutdownGrace.toMillis())) {
                LOG.warn("{} request(s) still running after {} ms; stopping their invocations", api.inFlight(),
                        shutdownGrace.toMillis());
                registry.abortAll();
                awaitRequests(5000);
            }
        }
        closeResources();
        LOG.info("faasx reference server stopped");
    }

    private boolean awaitRequests(long millis) {
        long deadline = System.currentTimeMillis() + millis;
        while (api.inFlight() > 0) {
            if (System.currentTimeMillis() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void closeResources() {
        if (undertow != null) {
            undertow.stop();
        }
        if (registry != null) {
            registry.closeAll();
        }
        for (ExecutorService pool : new ExecutorService[] {invocations, management, uploads}) {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        if (services != null) {
            services.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (confinement != null) {
            confinement.close();
        }
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static String uriHost(InetAddress address) {
        if (address.isAnyLocalAddress()) {
            return "127.0.0.1";
        }
        String host = address.getHostAddress();
        return host.contains(":") ? "[" + host + "]" : host;
    }

    /** Builds a {@link ReferenceServer}. Not thread-safe. */
    public static final class Builder {
        private int port = 8080;
        private Path dataDirectory;
        private String apiKey;
        private String bindAddress = "127.0.0.1";
        private ServerLimits limits = ServerLimits.defaults();
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private Isolation isolation;
        private boolean functionNetwork = true;
        private List<Path> functionReadOnlyPaths = List.of();

        private Builder() {
        }

        /**
         * How functions are isolated. Not set: a sandbox where bubblewrap works, else none with a warning.
         * {@link Isolation#SANDBOX} makes {@link ReferenceServer#start()} fail where no sandbox can be made.
         */
        public Builder isolation(Isolation value) {
            this.isolation = Objects.requireNonNull(value, "isolation");
            return this;
        }

        /** Whether sandboxed functions keep the host's network (default true); false gives them none at all. */
        public Builder functionNetwork(boolean allowed) {
            this.functionNetwork = allowed;
            return this;
        }

        /**
         * Host paths sandboxed functions may read besides the system's runtime directories and the server's JDK,
         * for example a shared tool or library directory their {@code bootstrap} refers to. Empty by default.
         */
        public Builder functionReadOnlyPaths(List<Path> paths) {
            List<Path> copy = new ArrayList<>();
            for (Path path : paths) {
                copy.add(Objects.requireNonNull(path, "path").toAbsolutePath().normalize());
            }
            this.functionReadOnlyPaths = List.copyOf(copy);
            return this;
        }

        /** The port to listen on; 0 picks a free one ({@link #port()} tells which). Default 8080. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** Where functions are stored; created when missing. Required. */
        public Builder dataDirectory(Path value) {
            this.dataDirectory = Objects.requireNonNull(value, "dataDirectory");
            return this;
        }

        /** The key every request must present as {@code Authorization: Bearer KEY}; none by default. */
        public Builder apiKey(String value) {
            Objects.requireNonNull(value, "apiKey");
            if (value.isBlank()) {
                throw new IllegalArgumentException("apiKey must not be blank");
            }
            this.apiKey = value;
            return this;
        }

        /** The address to listen on; default {@code 127.0.0.1}. */
        public Builder bindAddress(String value) {
            this.bindAddress = Objects.requireNonNull(value, "bindAddress");
            return this;
        }

        public Builder limits(ServerLimits value) {
            this.limits = Objects.requireNonNull(value, "limits");
            return this;
        }

        /** How long {@link #close()} lets requests in progress finish before stopping them; default 10 s. */
        public Builder shutdownGrace(Duration value) {
            if (value.isNegative()) {
                throw new IllegalArgumentException("shutdownGrace must not be negative");
            }
            this.shutdownGrace = value;
            return this;
        }

        public ReferenceServer build() {
            return new ReferenceServer(this);
        }
    }
}
