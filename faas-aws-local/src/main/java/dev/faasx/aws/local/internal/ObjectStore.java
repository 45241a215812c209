package dev.faasx.aws.local.internal;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The part of Amazon S3 that deploying a function from a bucket needs, path-style ({@code /{bucket}/{key}}):
 * {@code CreateBucket}, {@code HeadBucket}, {@code PutObject}, {@code GetObject}, {@code HeadObject} and
 * {@code DeleteObject}, with S3's XML errors ({@code NoSuchBucket}, {@code NoSuchKey}). A body sent in the SDKs'
 * {@code aws-chunked} encoding (with trailing checksums) is decoded. Objects live in memory. Thread-safe.
 */
final class ObjectStore {
    /** S3's limit for a single PutObject. */
    private static final long MAX_OBJECT_BYTES = 5L * 1024 * 1024 * 1024;
    /** What this emulator keeps in memory for one object. */
    private static final int MAX_STORED_BYTES = 300 * 1024 * 1024;
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private record StoredObject(byte[] bytes, String etag, String contentType, String lastModified) {
    }

    private final Map<String, Map<String, StoredObject>> buckets = new ConcurrentHashMap<>();

    /** The object's bytes, if the bucket and key exist. */
    Optional<byte[]> read(String bucket, String key) {
        Map<String, StoredObject> objects = buckets.get(bucket);
        StoredObject object = objects == null ? null : objects.get(key);
        return object == null ? Optional.empty() : Optional.of(object.bytes());
    }

    /** Answers one S3 request; {@code path} is the decoded path ({@code /bucket} or {@code /bucket/key}). */
    void handle(HttpExchange exchange, String path, String requestId) throws IOException {
        String method = exchange.getRequestMethod();
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 || slash == rest.length() - 1 ? null : rest.substring(slash + 1);
        exchange.getResponseHeaders().add("x-amz-request-id", requestId);
        if (!BUCKET.matcher(bucket).matches()) {
            error(exchange, 400, "InvalidBucketName", "The specified bucket is not valid.", bucket, requestId);
            return;
        }
        if (key == null) {
            switch (method) {
                case "PUT" -> {
                    buckets.putIfAbsent(bucket, new ConcurrentHashMap<>());
                    exchange.getResponseHeaders().add("Location", "/" + bucket);
                    exchange.sendResponseHeaders(200, -1);
                }
                case "HEAD" -> exchange.sendResponseHeaders(buckets.containsKey(bucket) ? 200 : 404, -1);
                default -> error(exchange, 405, "MethodNotAllowed", "The specified method is not allowed against"
                        + " this resource.", bucket, requestId);
            }
            return;
        }
        Map<String, StoredObject> objects = buckets.get(bucket);
        if (objects == null) {
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                error(exchange, 404, "NoSuchBucket", "The specified bucket does not exist", bucket, requestId);
            }
            return;
        }
        switch (method) {
            case "PUT" -> put(exchange, objects, key, requestId);
            case "GET", "HEAD" -> get(exchange, objects.get(key), key, method.equals("HEAD"), requestId);
            case "DELETE" -> {
                objects.remove(key);
                exchange.sendResponseHeaders(204, -1);
            }
            default -> error(exchange, 405, "MethodNotAllowed", "The specified method is not allowed against this"
                    + " resource.", key, requestId);
        }
    }

    private void put(HttpExchange exchange, Map<String, StoredObject> objects, String key, String requestId)
            throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && parseLong(declared) > MAX_OBJECT_BYTES) {
            error(exchange, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", key,
                    requestId);
            return;
        }
        byte[] raw = exchange.getRequestBody().readNBytes(MAX_STORED_BYTES + 1);
        if (raw.length > MAX_STORED_BYTES) {
            error(exchange, 400, "EntityTooLarge", "This emulator keeps objects of up to " + MAX_STORED_BYTES
                    + " bytes", key, requestId);
            return;
        }
        byte[] body;
        try {
            body = chunked(exchange) ? decodeAwsChunked(raw) : raw;
        } catch (IllegalArgumentException e) {
            error(exchange, 400, "IncompleteBody", "The request body is not valid aws-chunked data: "
                    + e.getMessage(), key, requestId);
            return;
        }
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        String etag = "\"" + md5(body) + "\"";
        objects.put(key, new StoredObject(body, etag, contentType == null ? "binary/octet-stream" : contentType,
                ZonedDateTime.now(ZoneOffset.UTC).format(HTTP_DATE)));
        exchange.getResponseHeaders().add("ETag", etag);
        exchange.sendResponseHeaders(200, -1);
    }

    private static void get(HttpExchange exchange, StoredObject object, String key, boolean head, String requestId)
            throws IOException {
        if (object == null) {
            if (head) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                error(exchange, 404, "NoSuchKey", "The specified key does not exist.", key, requestId);
            }
            return;
        }
        exchange.getResponseHeaders().add("ETag", object.etag());
        exchange.getResponseHeaders().add("Content-Type", object.contentType());
        exchange.getResponseHeaders().add("Last-Modified", object.lastModified());
        exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
        if (head) {
            exchange.getResponseHeaders().add("Content-Length", Integer.toString(object.bytes().length));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        exchange.sendResponseHeaders(200, object.bytes().length == 0 ? -1 : object.bytes().length);
        exchange.getResponseBody().write(object.bytes());
    }

    private static boolean chunked(HttpExchange exchange) {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        String sha = exchange.getRequestHeaders().getFirst("x-amz-content-sha256");
        return encoding != null && encoding.toLowerCase(Locale.ROOT).contains("aws-chunked")
                || sha != null && sha.startsWith("STREAMING-");
    }

    /**
     * Decodes {@code aws-chunked}: {@code hex-size[;chunk-signature=...]\r\n data \r\n} repeated, a zero-size chunk,
     * then optional trailing headers (checksums), which are read past.
     */
    static byte[] decodeAwsChunked(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
        int pos = 0;
        while (true) {
            int lineEnd = indexOfCrlf(raw, pos);
            if (lineEnd < 0) {
                throw new IllegalArgumentException("a chunk header has no line end");
            }
            String header = new String(raw, pos, lineEnd - pos, StandardCharsets.US_ASCII);
            int semicolon = header.indexOf(';');
            String hex = (semicolon < 0 ? header : header.substring(0, semicolon)).strip();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad chunk size '" + hex + "'");
            }
            pos = lineEnd + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            if (size < 0 || pos + size > raw.length) {
                throw new IllegalArgumentException("a chunk runs past the end of the body");
            }
            out.write(raw, pos, size);
            pos += size;
            if (pos + 2 <= raw.length && raw[pos] == '\r' && raw[pos + 1] == '\n') {
                pos += 2;
            }
        }
    }

    private static int indexOfCrlf(byte[] raw, int from) {
        for (int i = from; i + 1 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void error(HttpExchange exchange, int status, String code, String message, String resource,
                              String requestId) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + escape(message) + "</Message><Resource>" + escape(resource) + "</Resource><RequestId>"
                + requestId + "</RequestId></Error>";
        byte[] body = xml.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static String escape(String text) {
        return text == null ? "" : text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static long parseLong(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
