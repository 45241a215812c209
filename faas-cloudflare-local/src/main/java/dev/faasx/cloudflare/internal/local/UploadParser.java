package dev.faasx.cloudflare.internal.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.fileupload2.core.AbstractFileUpload;
import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInput;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.core.FileUploadException;
import org.apache.commons.fileupload2.core.FileUploadSizeException;
import org.apache.commons.fileupload2.core.RequestContext;

/**
 * Parses a Workers script upload ({@code multipart/form-data}) with Apache Commons FileUpload's streaming parser:
 * the {@code metadata} part (JSON) and one part per module. Enforces the total size, the part count and the
 * per-part size while reading, so an oversized upload is refused without being held in memory.
 */
final class UploadParser {
    static final String METADATA = "metadata";

    /** One uploaded module: its name (the part name), file name and content type. */
    record Part(String name, String filename, String contentType, byte[] content) {
    }

    /** The parsed upload: the metadata (JSON) and the module parts, in upload order. */
    record Upload(JsonNode metadata, List<Part> parts) {
    }

    private final ObjectMapper json;
    /** Cloudflare's limit of a Worker's size before compression: 64 MiB. */
    static final long MAX_UNCOMPRESSED = 64L * 1024 * 1024;

    private final long maxScriptBytes;
    private final int maxParts;

    UploadParser(ObjectMapper json, long maxScriptBytes, int maxParts) {
        this.json = json;
        this.maxScriptBytes = maxScriptBytes;
        this.maxParts = maxParts;
    }

    Upload parse(String contentType, long contentLength, InputStream body) throws ApiError {
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("multipart/form-data")) {
            throw ApiError.badBody("expected multipart/form-data with a 'metadata' part and one part per module, got "
                    + (contentType == null ? "no Content-Type" : "'" + contentType + "'"));
        }
        JsonNode metadata = null;
        List<Part> parts = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        long total = 0;
        try {
            Parser parser = new Parser();
            // Metadata and headers add a little to the modules' own size; the modules are checked exactly below.
            parser.setMaxSize(MAX_UNCOMPRESSED + 1024 * 1024);
            FileItemInputIterator items = parser.getItemIterator(new Context(contentType, contentLength, body));
            while (items.hasNext()) {
                FileItemInput item = items.next();
                String name = item.getFieldName();
                if (name == null || name.isEmpty()) {
                    throw ApiError.badBody("a part has no name in its Content-Disposition");
                }
                if (!names.add(name)) {
                    throw ApiError.badBody("the part '" + name + "' appears twice");
                }
                if (names.size() > maxParts) {
                    throw ApiError.validation("an upload may hold at most " + maxParts + " parts");
                }
                byte[] content;
                try (InputStream in = item.getInputStream()) {
                    content = in.readNBytes((int) MAX_UNCOMPRESSED + 1);
                }
                if (METADATA.equals(name)) {
                    metadata = parseMetadata(content);
                    continue;
                }
                total += content.length;
                if (total > MAX_UNCOMPRESSED) {
                    throw tooLarge();
                }
                parts.add(new Part(name, item.getName(), item.getContentType(), content));
            }
        } catch (FileUploadSizeException e) {
            throw tooLarge();
        } catch (FileUploadException e) {
            throw ApiError.badBody(e.getMessage());
        } catch (IOException e) {
            throw ApiError.badBody("the upload ended early or is malformed: " + e.getMessage());
        }
        if (compressedSize(parts) > maxScriptBytes) {
            throw tooLarge();
        }
        if (metadata == null) {
            throw ApiError.badBody("the upload has no 'metadata' part (JSON with main_module, compatibility_date "
                    + "and bindings)");
        }
        return new Upload(metadata, parts);
    }

    private ApiError tooLarge() {
        return new ApiError(400, 10027, "Your Worker exceeded the size limit of " + maxScriptBytes + " bytes "
                + "after gzip compression (and " + MAX_UNCOMPRESSED + " bytes before) "
                + "(workers.api.error.script_too_large)");
    }

    /** The modules' size after gzip, which Cloudflare's plan limits (3 MiB Free, 10 MiB Paid) apply to. */
    static long compressedSize(List<Part> parts) {
        CountingStream counter = new CountingStream();
        try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(counter, 64 * 1024)) {
            for (Part p : parts) {
                gzip.write(p.content());
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return counter.count;
    }

    private static final class CountingStream extends java.io.OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private JsonNode parseMetadata(byte[] content) throws ApiError {
        try {
            JsonNode node = json.readTree(new String(content, StandardCharsets.UTF_8));
            if (node == null || !node.isObject()) {
                throw ApiError.badBody("the 'metadata' part must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw ApiError.badBody("the 'metadata' part is not valid JSON: " + e.getMessage());
        }
    }

    /** The streaming multipart parser, over a plain request context rather than a servlet request. */
    private static final class Parser extends AbstractFileUpload<RequestContext, DiskFileItem, DiskFileItemFactory> {
        @Override
        public FileItemInputIterator getItemIterator(RequestContext request) throws FileUploadException, IOException {
            return super.getItemIterator(request);
        }

        @Override
        public Map<String, List<DiskFileItem>> parseParameterMap(RequestContext request) throws FileUploadException {
            throw new UnsupportedOperationException("the local API streams uploads");
        }

        @Override
        public List<DiskFileItem> parseRequest(RequestContext request) throws FileUploadException {
            throw new UnsupportedOperationException("the local API streams uploads");
        }
    }

    private record Context(String contentType, long contentLength, InputStream body) implements RequestContext {
        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public long getContentLength() {
            return contentLength;
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public InputStream getInputStream() {
            return body;
        }

        @Override
        public boolean isMultipartRelated() {
            return false;
        }
    }
}
