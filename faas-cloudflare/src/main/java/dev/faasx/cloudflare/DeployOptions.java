package dev.faasx.cloudflare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.cloudflare.internal.WrapperModule;
import dev.faasx.core.FaasConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Cloudflare settings of a deployment, read from {@link FaasConfig#providerOptions()} (keys starting with
 * {@code cloudflare.}; see {@link CloudflareWorkersExecutor} for the list), and the upload metadata built from them.
 */
final class DeployOptions {
    static final String PREFIX = "cloudflare.";
    static final String SECRETS = "cloudflare.secrets";
    static final String CPU_MS = "cloudflare.cpu_ms";
    static final String KEEP_BINDINGS = "cloudflare.keep_bindings";
    static final String KV = "cloudflare.kv.";
    static final String D1 = "cloudflare.d1.";
    static final String R2 = "cloudflare.r2.";
    static final String DURABLE_OBJECT = "cloudflare.durable_object.";
    /** Cloudflare's largest CPU limit of a Worker invocation on the Paid plan: 5 minutes. */
    static final long MAX_CPU_MS = 300_000;

    private static final Pattern BINDING_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,127}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
    private static final Set<String> BINDING_TYPES = Set.of("plain_text", "secret_text", "kv_namespace", "d1",
            "r2_bucket", "durable_object_namespace", "analytics_engine", "service", "queue", "json", "wasm_module");

    private DeployOptions() {
    }

    /** Everything wrong with the configuration's Cloudflare options, each named; empty when all is well. */
    static List<String> violations(FaasConfig config) {
        List<String> out = new ArrayList<>();
        Set<String> secrets = secretNames(config);
        for (String name : secrets) {
            if (!config.envVars().containsKey(name)) {
                out.add(SECRETS + " names " + name + ", which is not one of the environment variables");
            }
        }
        for (Map.Entry<String, String> e : config.providerOptions().entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (!key.startsWith(PREFIX) || key.equals(SECRETS)) {
                continue;
            }
            if (key.equals(CPU_MS)) {
                long ms = cpuMs(value);
                if (ms < 1 || ms > MAX_CPU_MS) {
                    out.add(CPU_MS + " must be a whole number of milliseconds from 1 to " + MAX_CPU_MS + ", was '"
                            + value + "'");
                }
            } else if (key.equals(KEEP_BINDINGS)) {
                for (String type : list(value)) {
                    if (!BINDING_TYPES.contains(type)) {
                        out.add(KEEP_BINDINGS + " names an unknown binding type '" + type + "' (known: "
                                + String.join(", ", new java.util.TreeSet<>(BINDING_TYPES)) + ")");
                    }
                }
            } else if (key.startsWith(KV) || key.startsWith(D1) || key.startsWith(R2)
                    || key.startsWith(DURABLE_OBJECT)) {
                String name = key.substring(key.indexOf('.', PREFIX.length()) + 1);
                if (!BINDING_NAME.matcher(name).matches()) {
                    out.add(key + ": '" + name + "' is not a valid binding name (a JavaScript identifier)");
                } else if (config.envVars().containsKey(name)) {
                    out.add(key + ": the binding name " + name + " is also an environment variable");
                }
                Pattern rule = key.startsWith(R2) ? BUCKET : key.startsWith(DURABLE_OBJECT) ? BINDING_NAME : ID;
                if (!rule.matcher(value).matches()) {
                    out.add(key + " must be " + (key.startsWith(R2) ? "an R2 bucket name"
                            : key.startsWith(DURABLE_OBJECT) ? "the name of a class the main module exports"
                            : "an id of letters, digits, '-' or '_'") + ", was '" + value + "'");
                }
            } else {
                out.add("unknown Cloudflare option " + key + " (known: " + SECRETS + ", " + CPU_MS + ", "
                        + KEEP_BINDINGS + ", " + KV + "<BINDING>, " + D1 + "<BINDING>, " + R2 + "<BINDING>, "
                        + DURABLE_OBJECT + "<BINDING>)");
            }
        }
        return out;
    }

    /** The upload's {@code metadata} part. Call only with a configuration {@link #violations} found nothing in. */
    static ObjectNode metadata(ObjectMapper json, String script, String deploymentId, FaasConfig config,
                               CloudflareWorkersExecutorBuilder.Settings settings, String invocationSecret) {
        ObjectNode metadata = json.createObjectNode();
        metadata.put("main_module", WrapperModule.NAME);
        metadata.put("compatibility_date", settings.compatibilityDate());
        ArrayNode flags = metadata.putArray("compatibility_flags");
        settings.compatibilityFlags().forEach(flags::add);
        Set<String> secrets = secretNames(config);
        ArrayNode bindings = metadata.putArray("bindings");
        config.envVars().forEach((name, value) ->
                text(bindings, secrets.contains(name) ? "secret_text" : "plain_text", name, value));
        text(bindings, "plain_text", CloudflareWorkersExecutor.BINDING_TIMEOUT,
                Long.toString(config.timeout().toMillis()));
        text(bindings, "plain_text", CloudflareWorkersExecutor.BINDING_DEPLOYMENT, deploymentId);
        text(bindings, "plain_text", CloudflareWorkersExecutor.BINDING_SCRIPT, script);
        if (invocationSecret != null) {
            text(bindings, "secret_text", CloudflareWorkersExecutor.BINDING_SECRET, invocationSecret);
        }
        if (settings.dataset() != null) {
            bindings.addObject().put("type", "analytics_engine")
                    .put("name", CloudflareWorkersExecutor.BINDING_ANALYTICS).put("dataset", settings.dataset());
        }
        config.providerOptions().forEach((key, value) -> {
            if (key.startsWith(KV)) {
                bindings.addObject().put("type", "kv_namespace").put("name", key.substring(KV.length()))
                        .put("namespace_id", value);
            } else if (key.startsWith(D1)) {
                bindings.addObject().put("type", "d1").put("name", key.substring(D1.length())).put("id", value);
            } else if (key.startsWith(R2)) {
                bindings.addObject().put("type", "r2_bucket").put("name", key.substring(R2.length()))
                        .put("bucket_name", value);
            } else if (key.startsWith(DURABLE_OBJECT)) {
                bindings.addObject().put("type", "durable_object_namespace")
                        .put("name", key.substring(DURABLE_OBJECT.length())).put("class_name", value);
            }
        });
        String cpu = config.providerOptions().get(CPU_MS);
        if (cpu != null) {
            metadata.putObject("limits").put("cpu_ms", cpuMs(cpu));
        }
        String keep = config.providerOptions().get(KEEP_BINDINGS);
        if (keep != null) {
            ArrayNode kept = metadata.putArray("keep_bindings");
            list(keep).forEach(kept::add);
        }
        return metadata;
    }

    /** The CPU limit the configuration asks for, if any. */
    static java.util.OptionalLong cpuLimitMs(FaasConfig config) {
        String cpu = config.providerOptions().get(CPU_MS);
        return cpu == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(cpuMs(cpu));
    }

    /** The Durable Object classes the configuration binds, which the wrapper re-exports. */
    static Set<String> objectClasses(FaasConfig config) {
        Set<String> out = new LinkedHashSet<>();
        config.providerOptions().forEach((key, value) -> {
            if (key.startsWith(DURABLE_OBJECT)) {
                out.add(value);
            }
        });
        return out;
    }

    static Set<String> secretNames(FaasConfig config) {
        return new LinkedHashSet<>(list(config.providerOptions().getOrDefault(SECRETS, "")));
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static long cpuMs(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void text(ArrayNode bindings, String type, String name, String value) {
        bindings.addObject().put("type", type).put("name", name).put("text", value);
    }
}
