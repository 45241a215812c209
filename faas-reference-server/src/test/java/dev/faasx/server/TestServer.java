package dev.faasx.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * An embedded reference server on a free port with a temporary data directory, and a JDK {@link HttpClient} to
 * talk to it. Each test class starts one; tests use distinct function ids.
 */
public final class TestServer implements AutoCloseable {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final Path dataDirectory;
    private final ReferenceServer.Builder template;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private ReferenceServer server;
    private String apiKey;

    private TestServer(Path dataDirectory, ReferenceServer.Builder template) {
        this.dataDirectory = dataDirectory;
        this.template = template;
    }

    public static TestServer start() {
        return start(b -> b);
    }

    /** A server whose builder {@code customise} may change (limits, API key, grace); port and data dir are set. */
    public static TestServer start(UnaryOperator<ReferenceServer.Builder> customise) {
        try {
            Path dir = Files.createTempDirectory("faasx-server-test");
            TestServer test = new TestServer(dir, customise.apply(ReferenceServer.builder().port(0)
                    .dataDirectory(dir)));
            test.server = test.template.build().start();
            return test;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server (keeping the data directory) and starts a new one on the same directory. */
    public void restart() {
        server.close();
        server = template.build().start();
    }

    public ReferenceServer server() {
        return server;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** Sends {@code Authorization: Bearer key} from now on. */
    public TestServer withApiKey(String key) {
        this.apiKey = key;
        return this;
    }

    public URI uri(String path) {
        return server.baseUri().resolve(path);
    }

    public HttpResponse<String> deploy(String id, byte[] zip) {
        return deploy(id, zip, null, false);
    }

    /** {@code PUT /api/functions/{id}} with the zip and, when given, {@code configJson} as the config header. */
    public HttpResponse<String> deploy(String id, byte[] zip, String configJson, boolean overwrite) {
        HttpRequest.Builder request = request("/api/functions/" + id + (overwrite ? "?overwrite=true" : ""))
                .header("Content-Type", "application/zip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(zip));
        if (configJson != null) {
            request.header("X-Blueprint-Config",
                    Base64.getEncoder().encodeToString(configJson.getBytes(StandardCharsets.UTF_8)));
        }
        return send(request.build());
    }

    public HttpResponse<String> invoke(String id, String json) {
        return post("/api/functions/" + id + "/invoke", json);
    }

    public HttpResponse<String> post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    public HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    public HttpResponse<String> delete(String path) {
        return send(request(path).DELETE().build());
    }

    public HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT);
        if (apiKey != null) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        return builder;
    }

    /** A client of a server running elsewhere (another process), by its base URI. */
    public static final class Client {
        private final URI base;
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        public Client(URI base) {
            this.base = base;
        }

        public HttpResponse<String> deploy(String id, byte[] zip, String configJson) throws IOException,
                InterruptedException {
            return http.send(HttpRequest.newBuilder(base.resolve("/api/functions/" + id)).timeout(REQUEST_TIMEOUT)
                    .header("X-Blueprint-Config", Base64.getEncoder().encodeToString(configJson.getBytes(
                            StandardCharsets.UTF_8)))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(zip)).build(), HttpResponse.BodyHandlers.ofString());
        }

        public HttpResponse<String> invoke(String id, String json) throws IOException, InterruptedException {
            return http.send(HttpRequest.newBuilder(base.resolve("/api/functions/" + id + "/invoke"))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dataDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }
}
