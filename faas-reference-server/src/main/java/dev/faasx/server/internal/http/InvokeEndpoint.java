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
        exchange.setMaxEntitySize(maxRequestBytes);
        ErrorContext context = ErrorContext.builder("faasx-reference-server").functionId(id).build();
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

    private ApiError tooLarge() {
        return new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "the invoke request is larger than " + maxRequestBytes
                + " bytes", Map.of("max_request_bytes", Long.toString(maxRequestBytes)));
    }
}
