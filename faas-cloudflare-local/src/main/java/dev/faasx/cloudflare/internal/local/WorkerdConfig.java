package dev.faasx.cloudflare.internal.local;

import dev.faasx.cloudflare.WorkerBinding;
import dev.faasx.cloudflare.WorkerScript;
import dev.faasx.core.WorkerModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes a workerd configuration (Cap'n Proto text) for one Worker into a directory. Module sources and binding
 * values go into files beside the config and are pulled in with {@code embed}, so no user content is ever spliced
 * into the config text; only names are, and those are escaped.
 */
public final class WorkerdConfig {
    /** Analytics Engine services are named with this prefix; workerd reports the service name as the dataset. */
    public static final String ANALYTICS_SERVICE_PREFIX = "faasx-ae:";
    private static final String WORKER_SERVICE = "faasx-worker";

    private WorkerdConfig() {
    }

    /**
     * Writes {@code config.capnp} and its embedded files into {@code dir}.
     *
     * @param socketName    the name of the listening socket, reported on the control fd when ready
     * @param collectorPort the loopback port of the Analytics Engine collector
     * @return the config file
     */
    public static Path write(Path dir, WorkerScript script, String socketName, int collectorPort) throws IOException {
        Files.createDirectories(dir.resolve("m"));
        Files.createDirectories(dir.resolve("b"));
        StringBuilder modules = new StringBuilder();
        List<WorkerModule> ordered = mainFirst(script);
        for (int i = 0; i < ordered.size(); i++) {
            WorkerModule module = ordered.get(i);
            String file = "m/" + i;
            Files.write(dir.resolve(file), module.content());
            modules.append("        (name = ").append(quote(module.name())).append(", ")
                    .append(moduleField(module.type())).append(" = embed ").append(quote(file)).append("),\n");
        }
        StringBuilder bindings = new StringBuilder();
        Set<String> datasets = new LinkedHashSet<>();
        for (int i = 0; i < script.bindings().size(); i++) {
            WorkerBinding binding = script.bindings().get(i);
            bindings.append("        (name = ").append(quote(binding.name())).append(", ");
            if (binding instanceof WorkerBinding.Text t) {
                bindings.append("text = embed ").append(quote(embed(dir, i, t.value())));
            } else if (binding instanceof WorkerBinding.Json j) {
                bindings.append("json = embed ").append(quote(embed(dir, i, j.json())));
            } else if (binding instanceof WorkerBinding.AnalyticsEngine a) {
                datasets.add(a.dataset());
                bindings.append("analyticsEngine = ").append(quote(ANALYTICS_SERVICE_PREFIX + a.dataset()));
            }
            bindings.append("),\n");
        }
        StringBuilder services = new StringBuilder();
        for (String dataset : datasets) {
            services.append("    (name = ").append(quote(ANALYTICS_SERVICE_PREFIX + dataset))
                    .append(", external = (address = ").append(quote("127.0.0.1:" + collectorPort))
                    .append(", http = ())),\n");
        }
        StringBuilder flags = new StringBuilder();
        for (String flag : script.compatibilityFlags()) {
            flags.append(flags.length() == 0 ? "" : ", ").append(quote(flag));
        }
        String config = "using Workerd = import \"/workerd/workerd.capnp\";\n"
                + "const config :Workerd.Config = (\n"
                + "  services = [\n"
                + "    (name = " + quote(WORKER_SERVICE) + ", worker = (\n"
                + "      modules = [\n" + modules + "      ],\n"
                + "      compatibilityDate = " + quote(script.compatibilityDate()) + ",\n"
                + "      compatibilityFlags = [" + flags + "],\n"
                + "      bindings = [\n" + bindings + "      ],\n"
                + "    )),\n"
                + services
                + "  ],\n"
                + "  sockets = [\n"
                + "    (name = " + quote(socketName) + ", address = \"127.0.0.1:0\", http = (), service = "
                + quote(WORKER_SERVICE) + "),\n"
                + "  ],\n"
                + ");\n";
        Path file = dir.resolve("config.capnp");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        return file;
    }

    /** workerd treats the first module as the main module. */
    private static List<WorkerModule> mainFirst(WorkerScript script) {
        WorkerModule main = script.mainModule();
        java.util.ArrayList<WorkerModule> out = new java.util.ArrayList<>();
        out.add(main);
        script.modules().modules().stream().filter(m -> m != main).forEach(out::add);
        return out;
    }

    private static String moduleField(WorkerModule.Type type) {
        return switch (type) {
            case ES_MODULE -> "esModule";
            case WASM -> "wasm";
            case TEXT -> "text";
            case DATA -> "data";
        };
    }

    private static String embed(Path dir, int index, String value) throws IOException {
        String file = "b/" + index;
        Files.writeString(dir.resolve(file), value, StandardCharsets.UTF_8);
        return file;
    }

    /** A Cap'n Proto text literal: quotes, backslashes and control characters escaped. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
