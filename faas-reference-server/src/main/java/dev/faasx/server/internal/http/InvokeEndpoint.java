package dev.faasx.server.internal.http;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.server.internal.ApiError;
import dev.faasx.server.internal.function.FunctionRegistry;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.util.Map;

/**
 * {@code POST /api/functions/{id}/invoke}: the body is received without blocking on the I/O thread, then decoding,
 * running and encoding happen on an invocation thread. The answer uses the payload encoding the caller used
 * ({@code args} arrays or {@code args_base64}).
 */
final class InvokeEndpoint {
    private final FunctionRegistry registry;
    private final SpecCodec codec;
    private final HttpApi api;
    private final long maxRequestBytes;

    InvokeEndpoint(FunctionRegistry registry, SpecCodec codec, HttpApi api, long maxRequestBytes) {
        this.registry = registry;
        this.codec = codec;
        this.api = api;
        this.maxRequestBytes = maxRequestBytes;
    }

    void handle(HttpServerExchange exchange, String id, long arrival) {
        registry.require(id);
        if (exchange.getRequestContentLength() > maxRequestBytes) {
            throw tooLarge();
        }
        ErrorContext context = ErrorContext.builder("faasx-reference-server").functionId(id).build();
        if (exchange.getRequestContentLength() < 0) {
            receiveChunked(exchange, id, arrival, context);
            return;
        }
        exchange.setMaxEntitySize(maxRequestBytes);
        exchange.getRequestReceiver().receiveFullBytes(
                (done, body) -> api.blocking(done, api.invocations(), () -> {
                    Decoded<InvokeRequest> request = codec.decodeRequestWithEncoding(body, context);
                    return registry.invoke(id, request.value(), request.encoding(), arrival);
                }),
                (failed, error) -> {
                    failed.setPersistent(false);
                    Exchanges.sendError(failed, codec, error instanceof RequestTooBigException ? tooLarge()
                            : new ApiError(ErrorCode.INVALID_REQUEST, "cannot read the request body: "
                            + error.getMessage()));
                });
    }

    /**
     * A body of unknown length (chunked): received piece by piece. Past the limit the rest is read and dropped, up to
     * a bound, so that the 413 reaches the client instead of a connection reset (closing a connection with unread
     * data resets it, and the client loses the answer).
     */
    private void receiveChunked(HttpServerExchange exchange, String id, long arrival, ErrorContext context) {
        long drainLimit = maxRequestBytes * 4 + 1024 * 1024;
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        long[] total = new long[1];
        exchange.getRequestReceiver().receivePartialBytes((partial, bytes, last) -> {
            total[0] += bytes.length;
            if (total[0] <= maxRequestBytes) {
                body.write(bytes, 0, bytes.length);
            }
            boolean tooLarge = total[0] > maxRequestBytes;
            if (tooLarge && (last || total[0] > drainLimit)) {
                partial.setPersistent(false);
                Exchanges.sendError(partial, codec, tooLarge());
            } else if (last) {
                byte[] complete = body.toByteArray();
                api.blocking(partial, api.invocations(), () -> {
                    Decoded<InvokeRequest> request = codec.decodeRequestWithEncoding(complete, context);
                    return registry.invoke(id, request.value(), request.encoding(), arrival);
                });
            }
        }, (failed, error) -> {
            failed.setPersistent(false);
            Exchanges.sendError(failed, codec, new ApiError(ErrorCode.INVALID_REQUEST,
                    "cannot read the request body: " + error.getMessage()));
        });
    }

    private ApiError tooLarge() {
        return new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "the invoke request is larger than " + maxRequestBytes
                + " bytes", Map.of("max_request_bytes", Long.toString(maxRequestBytes)));
    }
}
