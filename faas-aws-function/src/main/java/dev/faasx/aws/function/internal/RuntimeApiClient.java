package dev.faasx.aws.function.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A client of the Lambda Runtime API (version 2018-06-01) on the JDK's HTTP client: fetch the next event, post its
 * response or error, report an initialisation error.
 */
public final class RuntimeApiClient {
    private static final String VERSION = "/2018-06-01/runtime";
    private static final int MAX_STACK_FRAMES = 50;

    /** One event from {@code /runtime/invocation/next}. */
    public record Event(String requestId, byte[] payload, OptionalLong deadlineEpochMs,
                        Optional<String> invokedFunctionArn, Optional<String> traceId) {
    }

    private final HttpClient http;
    private final URI base;
    private final ObjectMapper json = new ObjectMapper();

    /** @param endpoint the {@code host:port} of {@code AWS_LAMBDA_RUNTIME_API} */
    public RuntimeApiClient(String endpoint) {
        if (endpoint == null || endpoint.isBlank() || endpoint.contains("/")) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API must be host:port, was '" + endpoint + "'");
        }
        this.base = URI.create("http://" + endpoint.strip() + VERSION);
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).sslContext(plainHttpOnly()).build();
    }

    /** Waits (without a time limit, as the API asks) for the next event. */
    public Event next() throws IOException, InterruptedException {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(base.resolve(VERSION + "/invocation/next"))
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("runtime API answered " + response.statusCode() + " to invocation/next");
        }
        String id = response.headers().firstValue("Lambda-Runtime-Aws-Request-Id")
                .orElseThrow(() -> new IOException("runtime API sent an event without Lambda-Runtime-Aws-Request-Id"));
        OptionalLong deadline = response.headers().firstValue("Lambda-Runtime-Deadline-Ms")
                .map(RuntimeApiClient::parseLong).orElse(OptionalLong.empty());
        return new Event(id, response.body(), deadline,
                response.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn"),
                response.headers().firstValue("Lambda-Runtime-Trace-Id"));
    }

    public void respond(String requestId, byte[] payload) throws IOException, InterruptedException {
        post(VERSION + "/invocation/" + checked(requestId) + "/response", payload, null);
    }

    public void fail(String requestId, String errorType, String errorMessage, Throwable thrown)
            throws IOException, InterruptedException {
        post(VERSION + "/invocation/" + checked(requestId) + "/error", errorBody(errorType, errorMessage, thrown),
                errorType);
    }

    public void failInit(String errorType, String errorMessage, Throwable thrown)
            throws IOException, InterruptedException {
        post(VERSION + "/init/error", errorBody(errorType, errorMessage, thrown), errorType);
    }

    /** Lambda's error object: {@code errorMessage}, {@code errorType} and, for exceptions, {@code stackTrace}. */
    byte[] errorBody(String errorType, String errorMessage, Throwable thrown) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("errorMessage", errorMessage);
        body.put("errorType", errorType);
        ArrayNode stack = body.putArray("stackTrace");
        if (thrown != null) {
            StackTraceElement[] frames = thrown.getStackTrace();
            for (int i = 0; i < Math.min(frames.length, MAX_STACK_FRAMES); i++) {
                stack.add(frames[i].toString());
            }
        }
        return json.writeValueAsBytes(body);
    }

    private void post(String path, byte[] body, String errorType) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (errorType != null) {
            // Header values must be printable ASCII without line breaks.
            request.header("Lambda-Runtime-Function-Error-Type", errorType.replaceAll("[^\\x20-\\x7E]", "?"));
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException("runtime API answered " + response.statusCode() + " to " + path + ": "
                    + response.body());
        }
    }

    /**
     * The runtime API is plain HTTP on the local host. Without an SSL context of its own the JDK client loads the
     * default one (security providers and the CA certificates) at start-up, which lengthens every cold start; this
     * context trusts nothing, so it could not be used for TLS even by mistake.
     */
    private static SSLContext plainHttpOnly() {
        try {
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(new KeyManager[0], new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create an SSL context", e);
        }
    }

    /** Request ids go into a path: refuse anything that could change it. */
    private static String checked(String requestId) {
        if (!requestId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("unexpected request id from the runtime API");
        }
        return requestId;
    }

    private static OptionalLong parseLong(String value) {
        try {
            return OptionalLong.of(Long.parseLong(value.strip()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
