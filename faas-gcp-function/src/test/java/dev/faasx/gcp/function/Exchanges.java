package dev.faasx.gcp.function;

import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** In-memory requests and responses of the Functions Framework API, as the invoker hands them to a function. */
final class Exchanges {
    private Exchanges() {
    }

    static Request request(String method, byte[] body, Map<String, String> headers) {
        return new Request(method, body, headers);
    }

    static final class Request implements HttpRequest {
        private final String method;
        private final byte[] body;
        private final Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

        Request(String method, byte[] body, Map<String, String> headers) {
            this.method = method;
            this.body = body;
            headers.forEach((k, v) -> this.headers.put(k, List.of(v)));
        }

        @Override
        public String getMethod() {
            return method;
        }

        @Override
        public String getUri() {
            return "http://127.0.0.1/";
        }

        @Override
        public String getPath() {
            return "/";
        }

        @Override
        public Optional<String> getQuery() {
            return Optional.empty();
        }

        @Override
        public Map<String, List<String>> getQueryParameters() {
            return Map.of();
        }

        @Override
        public Map<String, HttpPart> getParts() {
            return Map.of();
        }

        @Override
        public Optional<String> getContentType() {
            return Optional.of("application/json");
        }

        @Override
        public long getContentLength() {
            return body.length;
        }

        @Override
        public Optional<String> getCharacterEncoding() {
            return Optional.empty();
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public Map<String, List<String>> getHeaders() {
            return headers;
        }
    }

    static final class Response implements HttpResponse {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private int status = 200;
        private String contentType;

        @Override
        public void setStatusCode(int code) {
            this.status = code;
        }

        @Override
        public void setStatusCode(int code, String message) {
            this.status = code;
        }

        @Override
        public void setContentType(String type) {
            this.contentType = type;
        }

        @Override
        public Optional<String> getContentType() {
            return Optional.ofNullable(contentType);
        }

        @Override
        public void appendHeader(String header, String value) {
            headers.computeIfAbsent(header, h -> new java.util.ArrayList<>()).add(value);
        }

        @Override
        public Map<String, List<String>> getHeaders() {
            return headers;
        }

        @Override
        public OutputStream getOutputStream() {
            return body;
        }

        @Override
        public BufferedWriter getWriter() {
            return new BufferedWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8));
        }

        int status() {
            return status;
        }

        byte[] body() {
            return body.toByteArray();
        }

        String text() {
            return body.toString(StandardCharsets.UTF_8);
        }
    }
}
