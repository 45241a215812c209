package dev.faasx.cloudflare.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.WorkerModule;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The body of a Workers script upload: {@code multipart/form-data} with a {@code metadata} part (JSON) and one part
 * per module, named (and file-named) by the module path and typed by the module's content type.
 */
public final class WorkerUpload {
    private final String boundary;
    private final byte[] body;

    private WorkerUpload(String boundary, byte[] body) {
        this.boundary = boundary;
        this.body = body;
    }

    /**
     * @throws IllegalArgumentException when a module name cannot be written into a part header
     */
    public static WorkerUpload of(ObjectMapper json, ObjectNode metadata, List<WorkerModule> modules) {
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String boundary = "faasx-" + HexFormat.of().formatHex(random);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            part(out, boundary, "form-data; name=\"metadata\"", "application/json",
                    json.writeValueAsBytes(metadata));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write upload metadata", e);
        }
        for (WorkerModule module : modules) {
            String name = headerSafe(module.name());
            part(out, boundary, "form-data; name=\"" + name + "\"; filename=\"" + name + "\"",
                    module.type().contentType(), module.content());
        }
        out.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return new WorkerUpload(boundary, out.toByteArray());
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    public byte[] body() {
        return body.clone();
    }

    private static void part(ByteArrayOutputStream out, String boundary, String disposition, String type,
                             byte[] content) {
        String head = "--" + boundary + "\r\nContent-Disposition: " + disposition + "\r\nContent-Type: " + type
                + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static String headerSafe(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '"' || c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("module name '" + name + "' contains a quote or a control "
                        + "character, which a multipart part name cannot carry");
            }
        }
        return name;
    }
}
