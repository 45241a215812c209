package dev.faasx.cloudflare.internal.local;

import dev.faasx.core.internal.DaemonThreads;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.faasx.cloudflare.AnalyticsDataPoint;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP service that workerd's {@code analyticsEngine} bindings post to (with {@code --experimental}): one JSON
 * object per {@code writeDataPoint}, byte strings as arrays of numbers, the timestamp in nanoseconds as a string, and
 * the binding's service name as the dataset. Keeps the newest points up to a bound.
 */
public final class AnalyticsCollector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyticsCollector.class);
    private static final int MAX_BODY = 64 * 1024;
    private static final int MAX_FIELDS = 20;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpServer server;
    private final ExecutorService threads;
    private final int capacity;
    private final Deque<AnalyticsDataPoint> points = new ArrayDeque<>();
    private final List<Consumer<AnalyticsDataPoint>> listeners = new CopyOnWriteArrayList<>();

    public AnalyticsCollector(int capacity) throws IOException {
        this.capacity = capacity;
        this.server = LoopbackHttpServer.create(0, 64);
        this.threads = Executors.newFixedThreadPool(2, DaemonThreads.named("faasx-analytics-collector"));
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The captured points, oldest first. */
    public List<AnalyticsDataPoint> snapshot() {
        synchronized (points) {
            return List.copyOf(points);
        }
    }

    public void addListener(Consumer<AnalyticsDataPoint> listener) {
        listeners.add(listener);
    }

    void record(AnalyticsDataPoint point) {
        synchronized (points) {
            if (points.size() >= capacity) {
                points.removeFirst();
            }
            points.addLast(point);
        }
        for (Consumer<AnalyticsDataPoint> listener : listeners) {
            try {
                listener.accept(point);
            } catch (RuntimeException e) {
                LOG.warn("analytics listener failed: {}", e.toString());
            }
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes(MAX_BODY + 1);
            }
            if (body.length > MAX_BODY) {
                exchange.sendResponseHeaders(413, -1);
                return;
            }
            try {
                record(parse(json.readTree(body)));
                exchange.sendResponseHeaders(200, -1);
            } catch (IOException | RuntimeException e) {
                LOG.warn("ignored a malformed Analytics Engine data point: {}", e.getMessage());
                exchange.sendResponseHeaders(400, -1);
            }
        }
    }

    static AnalyticsDataPoint parse(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("data point is not a JSON object");
        }
        String dataset = text(node.get("dataset"));
        if (dataset.startsWith(WorkerdConfig.ANALYTICS_SERVICE_PREFIX)) {
            dataset = dataset.substring(WorkerdConfig.ANALYTICS_SERVICE_PREFIX.length());
        }
        Instant timestamp = Instant.now();
        JsonNode ts = node.get("timestamp");
        if (ts != null && !ts.isNull()) {
            long nanos = Long.parseLong(ts.asText());
            timestamp = Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
        }
        List<String> indexes = new ArrayList<>();
        if (node.hasNonNull("index1")) {
            indexes.add(text(node.get("index1")));
        }
        List<String> blobs = new ArrayList<>();
        int lastBlob = 0;
        for (int i = 1; i <= MAX_FIELDS; i++) {
            if (node.hasNonNull("blob" + i)) {
                lastBlob = i;
            }
        }
        for (int i = 1; i <= lastBlob; i++) {
            blobs.add(node.hasNonNull("blob" + i) ? text(node.get("blob" + i)) : "");
        }
        List<Double> doubles = new ArrayList<>();
        int lastDouble = 0;
        for (int i = 1; i <= MAX_FIELDS; i++) {
            if (node.hasNonNull("double" + i)) {
                lastDouble = i;
            }
        }
        for (int i = 1; i <= lastDouble; i++) {
            JsonNode d = node.get("double" + i);
            doubles.add(d == null || d.isNull() ? 0.0 : d.asDouble());
        }
        return new AnalyticsDataPoint(dataset, timestamp, indexes, blobs, doubles);
    }

    /** A byte string arrives as an array of byte values; a plain JSON string is accepted too. */
    private static String text(JsonNode node) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            byte[] bytes = new byte[node.size()];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) node.get(i).asInt();
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return node.asText();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
