package dev.faasx.core;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One module of a Workers-style package: a JavaScript ES module, a WebAssembly module, text or data.
 *
 * @param name    the module path, as imports name it (for example {@code "worker.js"} or {@code "add.wasm"})
 * @param type    what the module is
 * @param content the module's bytes (copied in and out)
 */
public record WorkerModule(String name, Type type, byte[] content) {

    /** Module types, with the content type the Workers upload API uses for each. */
    public enum Type {
        ES_MODULE("application/javascript+module"),
        WASM("application/wasm"),
        TEXT("text/plain"),
        DATA("application/octet-stream");

        private final String contentType;

        Type(String contentType) {
            this.contentType = contentType;
        }

        public String contentType() {
            return contentType;
        }
    }

    public WorkerModule {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank() || name.startsWith("/") || name.contains("..") || name.contains("\\")) {
            throw new IllegalArgumentException("module name must be a relative path without '..': " + name);
        }
        content = Objects.requireNonNull(content, "content").clone();
    }

    public static WorkerModule esModule(String name, String source) {
        return new WorkerModule(name, Type.ES_MODULE, source.getBytes(StandardCharsets.UTF_8));
    }

    public static WorkerModule wasm(String name, byte[] wasm) {
        return new WorkerModule(name, Type.WASM, wasm);
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkerModule m && name.equals(m.name) && type == m.type
                && Arrays.equals(content, m.content);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(content));
    }

    @Override
    public String toString() {
        return "WorkerModule[" + name + ", " + type + ", " + content.length + " bytes]";
    }
}
