package dev.faasx.digitalocean.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** A bare OpenWhisk REST client for the emulator's tests: one authenticated HTTP call per method. */
final class OpenWhiskClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI host;
    private final String auth;

    OpenWhiskClient(URI host, String auth) {
        this.host = host;
        this.auth = "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8));
    }

    OpenWhiskClient(LocalDigitalOcean.LocalNamespace ns) {
        this(ns.apiHost(), ns.auth());
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Answer call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(host.resolve("/api/v1/namespaces/_/" + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", auth)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        return send(b.build());
    }

    Answer send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body = r.body().isEmpty() ? null : JSON.readTree(r.body());
            return new Answer(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Answer putAction(String name, String kind, String code, Map<String, Object> limits, String extra) {
        ObjectNode action = JSON.createObjectNode();
        action.putObject("exec").put("kind", kind).put("code", code);
        ObjectNode l = action.putObject("limits");
        limits.forEach((k, v) -> l.putPOJO(k, v));
        if (extra != null) {
            try {
                action.setAll((ObjectNode) JSON.readTree(extra));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return call("PUT", "actions/" + name + "?overwrite=true", action.toString());
    }

    Answer putZipAction(String name, String kind, Map<String, String> files) {
        ObjectNode action = JSON.createObjectNode();
        action.putObject("exec").put("kind", kind).put("binary", true)
                .put("code", Base64.getEncoder().encodeToString(zip(files)));
        return call("PUT", "actions/" + name + "?overwrite=true", action.toString());
    }

    Answer invoke(String name, String params, String query) {
        return call("POST", "actions/" + name + "?" + query, params);
    }

    static byte[] zip(Map<String, String> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                zip.putNextEntry(new ZipEntry(f.getKey()));
                zip.write(f.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The value of annotation {@code key} in an activation record, or a missing node. */
    static JsonNode annotation(JsonNode activation, String key) {
        for (JsonNode a : activation.path("annotations")) {
            if (key.equals(a.path("key").asText())) {
                return a.path("value");
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
