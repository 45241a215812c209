package dev.faasx.cloudflare.internal;

import dev.faasx.core.WorkerModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The module the executor deploys as the Worker's main module: {@code faasx-wrapper.js} (a resource of this jar)
 * preceded by one generated line that imports the user's main module. It turns the spec's invoke JSON into a call of
 * the user's {@code job()} or {@code fetch()} and back, enforces the timeout and writes the Analytics Engine data
 * point.
 */
public final class WrapperModule {
    /** The wrapper's module name; a user's module may not use it. */
    public static final String NAME = "__faasx_wrapper.js";

    private final String body;

    private WrapperModule(String body) {
        this.body = body;
    }

    public static WrapperModule load() {
        try (InputStream in = WrapperModule.class.getResourceAsStream("faasx-wrapper.js")) {
            if (in == null) {
                throw new IllegalStateException("faasx-wrapper.js is missing from the faas-cloudflare jar");
            }
            return new WrapperModule(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The wrapper module for a package whose main module is {@code mainModule}. */
    public WorkerModule forMainModule(String mainModule) {
        return forMainModule(mainModule, List.of());
    }

    /**
     * The wrapper module for a package whose main module is {@code mainModule} and exports the Durable Object classes
     * {@code objectClasses} (JavaScript identifiers), which the wrapper re-exports.
     */
    public WorkerModule forMainModule(String mainModule, Collection<String> objectClasses) {
        String from = jsString("./" + mainModule);
        StringBuilder prefix = new StringBuilder("import * as userModule from ").append(from).append(";\n");
        for (String c : new java.util.TreeSet<>(objectClasses)) {
            if (!c.matches("[A-Za-z_$][A-Za-z0-9_$]{0,127}")) {
                throw new IllegalArgumentException("Durable Object class name must be a JavaScript identifier, was '"
                        + c + "'");
            }
            prefix.append("export { ").append(c).append(" } from ").append(from).append(";\n");
        }
        return WorkerModule.esModule(NAME, prefix + body);
    }

    /** A JavaScript string literal. */
    static String jsString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
