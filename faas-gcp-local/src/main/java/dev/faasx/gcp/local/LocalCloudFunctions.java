package dev.faasx.gcp.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.gcp.local.internal.FunctionServiceEndpoint;
import dev.faasx.gcp.local.internal.InvokerLocator;
import dev.faasx.gcp.local.internal.InvokerProcess;
import dev.faasx.gcp.local.internal.LocalFunctions;
import dev.faasx.gcp.local.internal.Operations;
import dev.faasx.gcp.local.internal.OperationsEndpoint;
import dev.faasx.gcp.local.internal.TokenEndpoint;
import dev.faasx.gcp.local.internal.TokenService;
import dev.faasx.gcp.local.internal.Uploads;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A local Google Cloud Functions (2nd gen) for tests and offline work: the v2 API ({@code FunctionService} and the
 * long-running {@code Operations}) over gRPC on a loopback port and in-process, the upload URLs that
 * {@code generateUploadUrl} hands out, and a token endpoint. Each deployed function runs for real in Google's
 * Functions Framework invoker ({@code java-function-invoker} 2.0.0, a separate JVM per instance) behind its own
 * loopback URL, which admits only callers with an ID token for that URL (403 otherwise).
 *
 * <p>Deployments are long-running operations: the function is {@code DEPLOYING} while the emulator unpacks the
 * uploaded zip, finds the prebuilt JAR (a fat JAR, or a thin JAR whose manifest {@code Class-Path} names its
 * dependencies), checks the entry point and starts an instance; then {@code ACTIVE}, or {@code FAILED} with the
 * build error in the function's state messages and the operation's error. The emulator builds no sources (no Maven
 * or Gradle build) and runs only the {@code java17} and {@code java21} runtimes, on this machine's JVM.
 *
 * <p>ID tokens: {@link #credentials()} (or the JSON key file of {@link #credentialsJson()}) is a service account
 * whose {@code token_uri} is this emulator, so google-auth obtains ID tokens for any audience here; functions accept
 * those tokens until they expire ({@link Builder#idTokenLifetime}).
 *
 * <pre>{@code
 * try (LocalCloudFunctions gcf = LocalCloudFunctions.builder().build()) {
 *     FunctionServiceClient client = FunctionServiceClient.create(FunctionServiceSettings.newBuilder()
 *         .setTransportChannelProvider(FixedTransportChannelProvider.create(
 *             GrpcTransportChannel.create(gcf.inProcessChannel())))
 *         .setCredentialsProvider(NoCredentialsProvider.create())
 *         .build());
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} stops every function instance and server and deletes the working files.
 */
public final class LocalCloudFunctions implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODELAY = "sun.net.httpserver.nodelay";

    private final String projectId;
    private final Path workDirectory;
    private final boolean ownsWorkDirectory;
    private final TokenService tokens;
    private final Operations operations;
    private final LocalFunctions functions;
    private final HttpServer http;
    private final ExecutorService httpThreads;
    private final Server grpc;
    private final Server inProcess;
    private final String inProcessName;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalCloudFunctions(Builder b) throws IOException {
        this.projectId = b.projectId;
        this.ownsWorkDirectory = b.workDirectory == null;
        this.workDirectory = b.workDirectory != null ? Files.createDirectories(b.workDirectory)
                : Files.createTempDirectory("faasx-gcp-local-");
        this.tokens = new TokenService(JSON, Clock.systemUTC(), b.idTokenLifetime, projectId);
        this.operations = new Operations();
        Uploads uploads = new Uploads(workDirectory.resolve("uploads"));
        InvokerProcess.Launch launch = new InvokerProcess.Launch(b.java(), b.invokerJar != null ? b.invokerJar
                : InvokerLocator.locate(), InvokerLocator.writeLauncher(workDirectory), List.copyOf(b.jvmOptions),
                b.instanceStartTimeout);
        this.functions = new LocalFunctions(operations, uploads, tokens, launch, workDirectory, b.buildDelay,
                Clock.systemUTC());
        // The JDK's HTTP server writes an answer's headers and body separately; without TCP_NODELAY, Nagle's
        // algorithm and delayed ACKs hold each answer back by up to 40 ms on loopback. Read once, when the first
        // server starts; set here only when nobody chose otherwise.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.httpPort), 64);
        this.httpThreads = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "faasx-gcp-local-http");
            t.setDaemon(true);
            return t;
        });
        http.createContext("/upload/", uploads::handle);
        http.createContext("/token", new TokenEndpoint(tokens, JSON)::handle);
        http.setExecutor(httpThreads);
        http.start();
        FunctionServiceEndpoint service = new FunctionServiceEndpoint(functions, uploads, this::httpPort);
        OperationsEndpoint operationsService = new OperationsEndpoint(operations);
        this.grpc = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.grpcPort))
                .addService(service).addService(operationsService).build().start();
        this.inProcessName = "faasx-gcp-local-" + UUID.randomUUID();
        this.inProcess = InProcessServerBuilder.forName(inProcessName).addService(service)
                .addService(operationsService).build().start();
    }

    /** An emulator with default settings, started. */
    public static LocalCloudFunctions start() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The project id the credentials name (any project id works in API calls). */
    public String projectId() {
        return projectId;
    }

    /** The loopback port of the gRPC API. */
    public int grpcPort() {
        return grpc.getPort();
    }

    /** {@code 127.0.0.1:port} of the gRPC API, for a channel or a client's endpoint setting. */
    public String grpcTarget() {
        return "127.0.0.1:" + grpcPort();
    }

    /** The loopback port of the upload and token endpoints. */
    public int httpPort() {
        return http.getAddress().getPort();
    }

    /** The token endpoint that the credentials' {@code token_uri} names. */
    public String tokenUri() {
        return "http://127.0.0.1:" + httpPort() + "/token";
    }

    /** A new in-process channel to the API, closed with the emulator. */
    public synchronized ManagedChannel inProcessChannel() {
        ManagedChannel channel = InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
        channels.add(channel);
        return channel;
    }

    /** A service-account JSON key file whose ID tokens this emulator issues. */
    public byte[] credentialsJson() {
        return tokens.credentialsJson(tokenUri());
    }

    /** Writes {@link #credentialsJson()} to {@code file} (for {@code GOOGLE_APPLICATION_CREDENTIALS}). */
    public Path writeCredentials(Path file) throws IOException {
        return Files.write(file, credentialsJson());
    }

    /** Service-account credentials that obtain ID tokens from this emulator. */
    public ServiceAccountCredentials credentials() {
        try {
            return ServiceAccountCredentials.fromStream(new ByteArrayInputStream(credentialsJson()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many ID tokens the emulator has issued. */
    public long issuedIdTokens() {
        return tokens.issuedTokens();
    }

    /** How many times clients have looked up a long-running operation. */
    public long operationPolls() {
        return operations.polls();
    }

    /** How many requests reached the URL of {@code functionName} (the full resource name), admitted or not. */
    public int requestsTo(String functionName) {
        return functions.front(functionName).map(f -> f.requests()).orElse(0);
    }

    /** How many functions exist. */
    public int functionCount() {
        return functions.size();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            channels.forEach(ManagedChannel::shutdownNow);
        }
        grpc.shutdownNow();
        inProcess.shutdownNow();
        functions.close();
        http.stop(0);
        httpThreads.shutdownNow();
        try {
            grpc.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsWorkDirectory) {
            LocalFunctions.deleteTree(workDirectory);
        }
    }

    @Override
    public String toString() {
        return "LocalCloudFunctions[grpc=" + grpcTarget() + ", http=127.0.0.1:" + httpPort() + "]";
    }

    /** Builds and starts a {@link LocalCloudFunctions}. Not thread-safe. */
    public static final class Builder {
        private static final Pattern PROJECT = Pattern.compile("[a-z][-a-z0-9]{4,28}[a-z0-9]");
        private String projectId = "faasx-local";
        private int grpcPort;
        private int httpPort;
        private Path invokerJar;
        private Path javaExecutable;
        private Path workDirectory;
        private Duration idTokenLifetime = Duration.ofHours(1);
        private Duration buildDelay = Duration.ZERO;
        private Duration instanceStartTimeout = Duration.ofSeconds(60);
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:-UsePerfData"));

        private Builder() {
        }

        /** The project id of the credentials' service account; default {@code faasx-local}. */
        public Builder projectId(String value) {
            if (value == null || !PROJECT.matcher(value).matches()) {
                throw new IllegalArgumentException("project id '" + value + "' is not a valid Google Cloud project id");
            }
            this.projectId = value;
            return this;
        }

        /** The loopback port of the gRPC API; default 0 (any free port). */
        public Builder grpcPort(int value) {
            this.grpcPort = port(value);
            return this;
        }

        /** The loopback port of the upload and token endpoints; default 0 (any free port). */
        public Builder httpPort(int value) {
            this.httpPort = port(value);
            return this;
        }

        /** Google's {@code java-function-invoker} JAR; default: found beside this JAR or in the local Maven repository. */
        public Builder invokerJar(Path value) {
            this.invokerJar = Objects.requireNonNull(value, "invokerJar");
            return this;
        }

        /** The {@code java} that runs instances; default: the one running the emulator. */
        public Builder javaExecutable(Path value) {
            this.javaExecutable = Objects.requireNonNull(value, "javaExecutable");
            return this;
        }

        /** Where uploads and unpacked functions go; default: a temporary directory deleted on close. */
        public Builder workDirectory(Path value) {
            this.workDirectory = Objects.requireNonNull(value, "workDirectory");
            return this;
        }

        /** How long issued ID tokens are valid; default 1 hour, as Google's. */
        public Builder idTokenLifetime(Duration value) {
            this.idTokenLifetime = positive(value, "idTokenLifetime");
            if (value.toSeconds() < 1) {
                throw new IllegalArgumentException("idTokenLifetime must be at least 1 s");
            }
            return this;
        }

        /** An extra wait before each build, so that clients see DEPLOYING and poll; default none. */
        public Builder buildDelay(Duration value) {
            Objects.requireNonNull(value, "buildDelay");
            if (value.isNegative()) {
                throw new IllegalArgumentException("buildDelay must not be negative");
            }
            this.buildDelay = value;
            return this;
        }

        /** The longest an instance may take to listen; default 60 s. */
        public Builder instanceStartTimeout(Duration value) {
            this.instanceStartTimeout = positive(value, "instanceStartTimeout");
            return this;
        }

        /** Replaces the JVM options of instances (default: options for a fast start). */
        public Builder instanceJvmOptions(List<String> options) {
            jvmOptions.clear();
            jvmOptions.addAll(options);
            return this;
        }

        /** Starts the emulator. */
        public LocalCloudFunctions build() {
            try {
                return new LocalCloudFunctions(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the local Cloud Functions emulator", e);
            }
        }

        Path java() {
            if (javaExecutable != null) {
                return javaExecutable;
            }
            return Path.of(System.getProperty("java.home"), "bin", "java");
        }

        private static int port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be 0-65535, was " + value);
            }
            return value;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return value;
        }
    }
}
