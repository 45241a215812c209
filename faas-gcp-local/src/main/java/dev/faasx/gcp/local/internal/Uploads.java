package dev.faasx.gcp.local.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Upload URLs handed out by {@code generateUploadUrl}, and the endpoint behind them ({@code PUT /upload/{id}}, as a
 * signed Cloud Storage URL takes the zip). An id is unguessable and takes one upload; the uploaded zip is then
 * named by the storage source's object. Thread-safe.
 */
public final class Uploads {
    /** The bucket named in every storage source. */
    public static final String BUCKET = "gcf-v2-uploads-local";
    /** The largest source zip accepted. */
    public static final long MAX_BYTES = 100L * 1024 * 1024;

    private final Path directory;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Boolean> pending = new ConcurrentHashMap<>();
    private final Map<String, Path> uploaded = new ConcurrentHashMap<>();

    public Uploads(Path directory) throws IOException {
        this.directory = Files.createDirectories(directory);
    }

    /** A new upload id; its object name is {@code id + ".zip"}. */
    public String newUpload() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String id = HexFormat.of().formatHex(bytes);
        pending.put(id, Boolean.TRUE);
        return id;
    }

    /** The uploaded zip named by a storage source's bucket and object. */
    public Optional<Path> find(String bucket, String object) {
        if (!BUCKET.equals(bucket) || object == null || !object.endsWith(".zip")) {
            return Optional.empty();
        }
        return Optional.ofNullable(uploaded.get(object.substring(0, object.length() - 4)));
    }

    /** Serves {@code PUT /upload/{id}}. */
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String id = path.substring(path.lastIndexOf('/') + 1);
            if (!exchange.getRequestMethod().equals("PUT")) {
                FunctionFront.text(exchange, 405, "use PUT to upload the source zip");
                return;
            }
            if (pending.remove(id) == null) {
                FunctionFront.text(exchange, 403, "this upload URL is unknown or has been used");
                return;
            }
            Path file = directory.resolve(id + ".zip");
            long size = 0;
            try (InputStream in = exchange.getRequestBody(); OutputStream out = Files.newOutputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    size += n;
                    if (size > MAX_BYTES) {
                        break;
                    }
                    out.write(buffer, 0, n);
                }
            }
            if (size > MAX_BYTES) {
                Files.deleteIfExists(file);
                FunctionFront.text(exchange, 413, "the source zip is larger than " + MAX_BYTES + " bytes");
                return;
            }
            uploaded.put(id, file);
            exchange.sendResponseHeaders(200, -1);
        }
    }
}
