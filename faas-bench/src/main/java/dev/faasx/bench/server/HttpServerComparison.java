package dev.faasx.bench.server;

import com.sun.net.httpserver.HttpServer;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The measurement behind the reference server's choice of HTTP library: the JDK's built-in
 * {@code com.sun.net.httpserver}, Undertow 2.3 and Jetty 12, each serving the same trivial invoke endpoint (read
 * the JSON body, answer a fixed v1 response) the way the reference server uses it: the body is read, then the answer
 * is produced on a worker thread, as process work would be. Loaded with the harness's keep-alive client: one client
 * for latency, then {@code --clients} for throughput.
 *
 * <pre>
 * java -cp faas-bench/target/benchmarks.jar dev.faasx.bench.server.HttpServerComparison [--clients 64]
 *      [--seconds 10] [--warmup 10]
 * </pre>
 */
public final class HttpServerComparison {
    private static final byte[] REQUEST = "{\"job_id\":1,\"args\":[104,101,108,108,111]}"
            .getBytes(StandardCharsets.UTF_8);
    private static final byte[] ANSWER = "{\"job_id\":1,\"result\":[104,101,108,108,111],\"success\":true}"
            .getBytes(StandardCharsets.UTF_8);

    private HttpServerComparison() {
    }

    public static void main(String[] args) throws Exception {
        var options = ServerBenchmark.options(args);
        int clients = Integer.parseInt(options.get("clients"));
        Duration seconds = Duration.ofSeconds(Integer.parseInt(options.get("seconds")));
        Duration warmup = Duration.ofSeconds(Integer.parseInt(options.get("warmup")));
        List<String> rows = new ArrayList<>();
        rows.add("| server | unloaded p50 | unloaded p99 | throughput, " + clients + " clients | failures |");
        rows.add("|---|---|---|---|---|");
        for (String kind : List.of("jdk", "undertow", "jetty")) {
            ExecutorService workers = new ThreadPoolExecutor(0, 1024, 60, TimeUnit.SECONDS, new SynchronousQueue<>());
            Started server = start(kind, workers);
            try {
                URI base = URI.create("http://127.0.0.1:" + server.port);
                LoadRun.Result unloaded = LoadRun.run(base, "/api/functions/echo/invoke", REQUEST, 1,
                        Duration.ofSeconds(2), Duration.ofSeconds(10), 5000);
                LoadRun.Result loaded = LoadRun.run(base, "/api/functions/echo/invoke", REQUEST, clients, warmup,
                        seconds, Long.MAX_VALUE);
                String row = String.format(Locale.ROOT, "| %s | %.3f ms | %.3f ms | %,.0f /s | %d |", kind,
                        unloaded.p50Micros() / 1000.0, unloaded.p99Micros() / 1000.0, loaded.throughput(),
                        unloaded.failures() + loaded.failures());
                System.out.println(row);
                rows.add(row);
            } finally {
                server.close();
                workers.shutdownNow();
            }
        }
        System.out.println();
        System.out.println("JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        rows.forEach(System.out::println);
    }

    private static Started start(String kind, ExecutorService workers) throws Exception {
        switch (kind) {
            case "jdk": {
                HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
                server.setExecutor(workers);
                server.createContext("/", exchange -> {
                    exchange.getRequestBody().readAllBytes();
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(200, ANSWER.length);
                    exchange.getResponseBody().write(ANSWER);
                    exchange.close();
                });
                server.start();
                return new Started(() -> server.stop(0), server.getAddress().getPort());
            }
            case "undertow": {
                Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1")
                        .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors())).setWorkerThreads(2)
                        .setHandler(exchange -> exchange.getRequestReceiver().receiveFullBytes((done, body) ->
                                done.dispatch(workers, () -> {
                                    done.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                                    done.getResponseSender().send(ByteBuffer.wrap(ANSWER));
                                }))).build();
                server.start();
                int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
                return new Started(server::stop, port);
            }
            default: {
                Server server = new Server(new QueuedThreadPool(200, 8));
                ServerConnector connector = new ServerConnector(server, 1, 1);
                connector.setHost("127.0.0.1");
                connector.setPort(0);
                server.addConnector(connector);
                server.setHandler(new Handler.Abstract.NonBlocking() {
                    @Override
                    public boolean handle(Request request, Response response, Callback callback) {
                        Content.Source.asByteBufferAsync(request).whenComplete((body, failure) ->
                                workers.execute(() -> {
                                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                                    response.write(true, ByteBuffer.wrap(ANSWER), callback);
                                }));
                        return true;
                    }
                });
                server.start();
                return new Started(() -> {
                    try {
                        server.stop();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, connector.getLocalPort());
            }
        }
    }

    /** A running server and how to stop it. */
    private static final class Started implements AutoCloseable {
        private final Runnable stop;
        private final int port;

        Started(Runnable stop, int port) {
            this.stop = stop;
            this.port = port;
        }

        @Override
        public void close() throws IOException {
            stop.run();
        }
    }
}
