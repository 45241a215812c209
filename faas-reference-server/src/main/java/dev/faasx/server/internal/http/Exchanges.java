package dev.faasx.server.internal.http;

import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.server.internal.ApiError;
import dev.faasx.server.internal.HttpAnswer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.nio.ByteBuffer;
import java.util.Map;

/** Writing answers to Undertow exchanges, from any thread. */
final class Exchanges {
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");

    private Exchanges() {
    }

    static void send(HttpServerExchange exchange, HttpAnswer answer) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(answer.status());
        exchange.getResponseHeaders().put(CONTENT_TYPE, answer.contentType());
        for (Map.Entry<String, String> header : answer.headers().entrySet()) {
            exchange.getResponseHeaders().put(new HttpString(header.getKey()), header.getValue());
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(answer.body()));
    }

    static void sendError(HttpServerExchange exchange, SpecCodec codec, ApiError error) {
        send(exchange, errorAnswer(codec, error));
    }

    static HttpAnswer errorAnswer(SpecCodec codec, ApiError error) {
        ErrorBody body = error.toBody();
        return HttpAnswer.json(error.status(), codec.encodeErrorBody(body));
    }
}
