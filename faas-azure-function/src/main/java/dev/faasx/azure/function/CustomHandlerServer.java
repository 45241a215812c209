package dev.faasx.azure.function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.azure.function.internal.Answerer;
import dev.faasx.azure.function.internal.BootstrapAnswerer;
import dev.faasx.azure.function.internal.Envelope;
import dev.faasx.azure.function.internal.HandlerAnswerer;
import dev.faasx.core.JobHandler;
import dev.faasx.core.spec.SpecCodec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Azure Functions custom handler that runs faasx jobs: a small HTTP server (the JDK's own) on
 * {@code FUNCTIONS_CUSTOMHANDLER_PORT} that answers the Functions host.
 *
 * <ul>
 *   <li>{@code POST /<FunctionName>} with the host's custom-handler request ({@code {"Data":{"req":{...,"Body"}},
 *       "Metadata":{...}}}): the HTTP body in {@code Data.req.Body} is a spec invoke request; the answer is the
 *       host's response shape {@code {"Outputs":{"res":{"statusCode":200,"body":<spec response>,"headers":{}}},
 *       "Logs":[],"ReturnValue":null}}.</li>
 *   <li>{@code POST /api/...} (the host forwarding the raw request, {@code enableProxyingHttpRequest: true}): the
 *       body is the spec request and the answer the spec response, as plain HTTP.</li>
 *   <li>{@code GET /}: 200, so that the host's readiness probe sees a live server.</li>
 * </ul>
 *
 * <p>A job that fails answers {@code success:false} with HTTP 200 (the function ran; the answer says how); a body
 * that is not a spec request answers {@code success:false} naming the problem. Each answer reports the execution
 * time measured here and whether it was the first call of this process (a cold start); the host's
 * {@code X-Azure-Functions-InvocationId} is handed back in the response header of the same name.
 *
 * <pre>{@code
 * try (CustomHandlerServer server = CustomHandlerServer.forHandler(new Resize()).port(0).start()) {
 *     int port = server.port();
 * }
 * }</pre>
 *
 * <p>Thread-safe; calls run on a bounded pool of threads, so the handler must be thread-safe.
 */
public final class CustomHandlerServer implements AutoCloseable {
    /** The environment variable the Functions host sets to the port the handler must listen on. */
    public static final String PORT_ENV = "FUNCTIONS_CUSTOMHANDLER_PORT";
    /** The request header carrying the host's invocation id, echoed in the response. */
    public static final String INVOCATION_ID_HEADER = "X-Azure-Functions-InvocationId";
    /** The largest request accepted: Azure Functions' own HTTP request limit is 100 MB. */
    public static final long MAX_REQUEST_BYTES = 210L * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService threads;

    private CustomHandlerServer(HttpServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** A server that runs {@code handler} for every call. */
    public static Builder forHandler(JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        return new Builder(instance -> new HandlerAnswerer(handler, SpecCodec.create(), instance), null);
    }

    /** A server that runs the native executable {@code bootstrap} once per call (spec v1 stdin/stdout). */
    public static Builder forBootstrap(Path bootstrap) {
        Objects.requireNonNull(bootstrap, "bootstrap");
        return new Builder(null, bootstrap);
    }

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting calls and ends the server's threads. Idempotent. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** Configures a {@link CustomHandlerServer}. Not thread-safe. */
    public static final class Builder {
        private final java.util.function.Function<HandlerAnswerer.InstanceState, Answerer> handlerAnswerer;
        private final Path bootstrap;
        private int port = -1;
        private int threads = 64;
        private Duration bootstrapTimeout;
        private InetAddress address = InetAddress.getLoopbackAddress();

        private Builder(java.util.function.Function<HandlerAnswerer.InstanceState, Answerer> handlerAnswerer,
                        Path bootstrap) {
            this.handlerAnswerer = handlerAnswerer;
            this.bootstrap = bootstrap;
        }

        /** The port; 0 picks a free one. By default the value of {@value #PORT_ENV}. */
        public Builder port(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + value);
            }
            this.port = value;
            return this;
        }

        /** How many calls run at once (further calls wait); 64 by default. */
        public Builder threads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("threads must be positive, was " + value);
            }
            this.threads = value;
            return this;
        }

        /** For a bootstrap: the longest one run may take before it is stopped. */
        public Builder bootstrapTimeout(Duration value) {
            this.bootstrapTimeout = value;
            return this;
        }

        /** Starts the server; the time since this process started is reported with its first call. */
        public CustomHandlerServer start() throws IOException {
            int chosen = port >= 0 ? port : portFromEnvironment();
            HandlerAnswerer.InstanceState instance = new HandlerAnswerer.InstanceState();
            Answerer answerer = bootstrap != null
                    ? new BootstrapAnswerer(bootstrap, SpecCodec.create(), instance, bootstrapTimeout)
                    : handlerAnswerer.apply(instance);
            if (System.getProperty("sun.net.httpserver.nodelay") == null) {
                // Without TCP_NODELAY the JDK server's separate header and body writes meet delayed ACKs (~40 ms).
                System.setProperty("sun.net.httpserver.nodelay", "true");
            }
            HttpServer server = HttpServer.create(new InetSocketAddress(address, chosen), 128);
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "faasx-custom-handler-" + count.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            server.setExecutor(pool);
            Envelope envelope = new Envelope();
            server.createContext("/", exchange -> serve(exchange, answerer, envelope));
            server.start();
            instance.ready(sinceProcessStart());
            return new CustomHandlerServer(server, pool);
        }

        private static int portFromEnvironment() {
            String value = System.getenv(PORT_ENV);
            if (value == null || !value.matches("[0-9]{1,5}")) {
                throw new IllegalStateException(PORT_ENV + " is not set to a port number (was " + value
                        + "): the Functions host sets it when it starts a custom handler");
            }
            return Integer.parseInt(value);
        }

        /**
         * The JVM's uptime: measured from the JVM's own start in milliseconds. (The process's start instant is only
         * known to the second on Linux, where it is derived from the boot time.)
         */
        private static Duration sinceProcessStart() {
            long uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
            return uptime >= 0 ? Duration.ofMillis(uptime) : null;
        }
    }

    private static void serve(HttpExchange exchange, Answerer answerer, Envelope envelope) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            if (!method.equals("POST")) {
                reply(exchange, method.equals("GET") || method.equals("HEAD") ? 200 : 405, new byte[0], null);
                return;
            }
            byte[] body;
            try {
                body = readBounded(exchange.getRequestBody());
            } catch (IOException e) {
                reply(exchange, 413, ("{\"error\":\"" + e.getMessage() + "\"}").getBytes(StandardCharsets.UTF_8),
                        null);
                return;
            }
            String invocationId = exchange.getRequestHeaders().getFirst(INVOCATION_ID_HEADER);
            if (path.startsWith("/api/")) {
                reply(exchange, 200, answerer.answer(body), invocationId);
                return;
            }
            byte[] request;
            try {
                request = envelope.requestBody(body);
            } catch (IllegalArgumentException e) {
                reply(exchange, 400, ("{\"error\":" + quote(e.getMessage()) + "}").getBytes(StandardCharsets.UTF_8),
                        null);
                return;
            }
            byte[] answer = answerer.answer(request);
            reply(exchange, 200, envelope.response(200, answer, INVOCATION_ID_HEADER, invocationId), invocationId);
        }
    }

    private static void reply(HttpExchange exchange, int status, byte[] body, String invocationId) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (invocationId != null) {
            exchange.getResponseHeaders().set(INVOCATION_ID_HEADER, invocationId);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        byte[] bytes = in.readNBytes((int) MAX_REQUEST_BYTES + 1);
        if (bytes.length > MAX_REQUEST_BYTES) {
            throw new IOException("the request is larger than " + MAX_REQUEST_BYTES + " bytes");
        }
        return bytes;
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"").replaceAll("\\p{Cntrl}", " ") + '"';
    }
}
