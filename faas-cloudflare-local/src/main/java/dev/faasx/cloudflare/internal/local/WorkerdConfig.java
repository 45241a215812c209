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
    /** The KV Worker bundled with workerd ({@code /workerd/kv.js}): namespaces on SQLite-backed Durable Objects. */
    private static final String KV_SERVICE = "faasx-kv";
    /** The D1 Worker bundled with workerd ({@code /workerd/d1.js}): each database a SQLite-backed Durable Object. */
    private static final String D1_SERVICE = "faasx-d1";
    /** The compatibility date of the bundled KV and D1 Workers (they need RPC: 2024-04-03 or later). */
    private static final String STORE_DATE = "2025-09-01";

    private WorkerdConfig() {
    }

    /**
     * Writes {@code config.capnp} and its embedded files into {@code dir}.
     *
     * @param socketName    the name of the listening socket, reported on the control fd when ready
     * @param collectorPort the loopback port of the Analytics Engine collector
     * @param storage       where Durable Objects, KV namespaces and D1 databases keep their data (shared by all the
     *                      runtime's Workers, so that it outlives a redeploy)
     * @return the config file
     */
    public static Path write(Path dir, WorkerScript script, String socketName, int collectorPort, Path storage)
            throws IOException {
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
        Set<String> objectClasses = new LinkedHashSet<>();
        boolean kvUsed = false;
        boolean d1Used = false;
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
            } else if (binding instanceof WorkerBinding.KvNamespace kv) {
                kvUsed = true;
                bindings.append("kvNamespace = (name = ").append(quote(KV_SERVICE)).append(", props = (json = ")
                        .append(quote("{\"namespace\": \"" + kv.namespaceId() + "\"}")).append("))");
            } else if (binding instanceof WorkerBinding.D1Database d1) {
                d1Used = true;
                bindings.append("wrapped = (moduleName = \"cloudflare-internal:d1-api\", innerBindings = [(name = ")
                        .append("\"fetcher\", service = (name = ").append(quote(D1_SERVICE))
                        .append(", props = (json = ").append(quote("{\"database\": \"" + d1.databaseId() + "\"}"))
                        .append(")))])");
            } else if (binding instanceof WorkerBinding.DurableObjectNamespace d) {
                objectClasses.add(d.className());
                bindings.append("durableObjectNamespace = ").append(quote(d.className()));
            }
            bindings.append("),\n");
        }
        StringBuilder services = new StringBuilder();
        for (String dataset : datasets) {
            services.append("    (name = ").append(quote(ANALYTICS_SERVICE_PREFIX + dataset))
                    .append(", external = (address = ").append(quote("127.0.0.1:" + collectorPort))
                    .append(", http = ())),\n");
        }
        if (kvUsed) {
            Files.createDirectories(storage.resolve("kv-blobs"));
            services.append(bundledStore(KV_SERVICE, "/workerd/kv.js", "KVNamespace", "SHARD", storage))
                    .append("    (name = \"faasx-kv-blobs\", disk = (path = ")
                    .append(quote(storage.resolve("kv-blobs").toAbsolutePath().toString()))
                    .append(", writable = true)),\n");
        }
        if (d1Used) {
            services.append(bundledStore(D1_SERVICE, "/workerd/d1.js", "D1Database", "DATABASE", storage));
        }
        StringBuilder objects = new StringBuilder();
        if (!objectClasses.isEmpty()) {
            Files.createDirectories(storage.resolve("objects"));
            objects.append("      durableObjectNamespaces = [\n");
            for (String className : objectClasses) {
                // The unique key ties the objects' storage to the script and class, as on Cloudflare.
                objects.append("        (className = ").append(quote(className)).append(", uniqueKey = ")
                        .append(quote(script.name() + "-" + className)).append(", enableSql = true),\n");
            }
            objects.append("      ],\n      durableObjectStorage = (localDisk = \"faasx-objects-disk\"),\n");
            services.append("    (name = \"faasx-objects-disk\", disk = (path = ")
                    .append(quote(storage.resolve("objects").toAbsolutePath().toString()))
                    .append(", writable = true)),\n");
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
                + objects
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

    /**
     * A service running one of workerd's bundled storage Workers: its Durable Object class stored on a disk
     * directory under {@code storage}, bound to the Worker under {@code binding}.
     */
    private static String bundledStore(String service, String module, String className, String binding, Path storage)
            throws IOException {
        Path disk = storage.resolve(service);
        Files.createDirectories(disk);
        return "    (name = " + quote(service) + ", worker = (\n"
                + "      modules = [(name = \"store.js\", bundled = " + quote(module) + ")],\n"
                + "      compatibilityDate = " + quote(STORE_DATE) + ",\n"
                + "      durableObjectNamespaces = [(className = " + quote(className) + ", uniqueKey = "
                + quote(service) + ", enableSql = true)],\n"
                + "      durableObjectStorage = (localDisk = " + quote(service + "-disk") + "),\n"
                + "      bindings = [(name = " + quote(binding) + ", durableObjectNamespace = " + quote(className)
                + ")" + (service.equals(KV_SERVICE) ? ", (name = \"BLOBS\", service = \"faasx-kv-blobs\")" : "")
                + "],\n"
                + "    )),\n"
                + "    (name = " + quote(service + "-disk") + ", disk = (path = "
                + quote(disk.toAbsolutePath().toString()) + ", writable = true)),\n";
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
