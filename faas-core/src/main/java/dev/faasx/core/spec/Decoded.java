package dev.faasx.core.spec;

import java.util.Objects;

/**
 * A decoded invoke message together with the {@link PayloadEncoding} its sender chose, so that an answer can use the
 * same encoding.
 *
 * <pre>{@code
 * Decoded<InvokeRequest> in = codec.decodeRequestWithEncoding(body, context);
 * byte[] answer = codec.encodeResponse(run(in.value()), in.encoding());
 * }</pre>
 *
 * @param value    the decoded message
 * @param encoding how its payload was encoded
 * @param <T>      {@link InvokeRequest} or {@link InvokeResponse}
 */
public record Decoded<T>(T value, PayloadEncoding encoding) {
    public Decoded {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(encoding, "encoding");
    }
}
