package dev.faasx.gcp.support;

import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.FunctionServiceGrpc;
import com.google.cloud.functions.v2.GetFunctionRequest;
import com.google.cloud.functions.v2.ServiceConfig;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

/**
 * A scripted Cloud Functions API (an in-process gRPC FunctionService whose {@code getFunction} answers what a test
 * sets, an ACTIVE function by default) and a scripted function URL (a loopback JDK HTTP server answering a set status,
 * headers and body), for testing how the executor maps each kind of failure.
 */
public final class ScriptedGcp implements AutoCloseable {
    private final Server server;
    private final String name = "scripted-gcp-" + UUID.randomUUID();
    private final HttpServer http;
    private volatile StatusRuntimeException getFailure;
    private volatile int status = 200;
    private volatile Map<String, String> headers = Map.of();
    private volatile String body = "";

    public ScriptedGcp() {
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            http.createContext("/", exchange -> {
                try (exchange) {
                    exchange.getRequestBody().readAllBytes();
                    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                    if (bytes.length > 0) {
                        try (OutputStream out = exchange.getResponseBody()) {
                            out.write(bytes);
                        }
                    }
                }
            });
            http.start();
            server = InProcessServerBuilder.forName(name).addService(new FunctionServiceGrpc.FunctionServiceImplBase() {
                @Override
                public void getFunction(GetFunctionRequest request, StreamObserver<Function> observer) {
                    StatusRuntimeException failure = getFailure;
                    if (failure != null) {
                        observer.onError(failure);
                        return;
                    }
                    observer.onNext(Function.newBuilder().setName(request.getName()).setState(Function.State.ACTIVE)
                            .setServiceConfig(ServiceConfig.newBuilder().setUri(url()).setTimeoutSeconds(5)
                                    .setAvailableMemory("256Mi")).build());
                    observer.onCompleted();
                }
            }).build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public ManagedChannel channel() {
        return InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** The scripted function's URL. */
    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** Makes {@code getFunction} fail with {@code failure}; {@code null} answers an ACTIVE function again. */
    public void failGetFunction(StatusRuntimeException failure) {
        this.getFailure = failure;
    }

    /** Makes the function's URL answer {@code status} with {@code headers} and {@code body}. */
    public void answer(int status, Map<String, String> headers, String body) {
        this.status = status;
        this.headers = Map.copyOf(headers);
        this.body = body;
    }

    @Override
    public void close() {
        server.shutdownNow();
        http.stop(0);
    }
}
