package dev.faasx.bench.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A minimal spec endpoint for the client-overhead benchmark: answers {@code POST /api/functions/{id}/invoke} by
 * decoding the request with the shared codec and echoing it back in the request's payload encoding, in-process on the JDK HTTP server. It stands in
 * for the reference server when only the client's own cost matters: both contenders talk to it, so whatever it
 * costs cancels out of the ratio except for making the ratio stricter (a faster server leaves a larger share of
 * each call to the client).
 */
final class EchoEndpoint implements AutoCloseable {
    private final SpecCodec codec = SpecCodec.create();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "echo-endpoint");
        t.setDaemon(true);
        return t;
    });

    EchoEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        server.createContext("/api/functions/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    URI baseUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Decoded<InvokeRequest> in = codec.decodeRequestWithEncoding(exchange.getRequestBody().readAllBytes(),
                    ErrorContext.of("echo"));
            InvokeRequest request = in.value();
            byte[] body = codec.encodeResponse(InvokeResponse.builder(request.jobId()).result(request.args())
                    .callId(request.callId().orElse(null)).metadata(request.metadata()).build(), in.encoding());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
