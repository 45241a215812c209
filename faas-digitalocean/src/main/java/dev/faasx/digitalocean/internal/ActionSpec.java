package dev.faasx.digitalocean.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The OpenWhisk action a package and a configuration become, checked against DigitalOcean Functions' limits first:
 * memory {@value #MIN_MEMORY_MB}–{@value #MAX_MEMORY_MB} MB, timeout up to 15 minutes, code up to 48 MB, no
 * instances kept warm ahead of calls; every violation is named in one {@link InvalidRequestException}. The
 * configuration's environment variables become init parameters, which OpenWhisk gives the action as its environment.
 */
public final class ActionSpec {
    public static final int MIN_MEMORY_MB = 128;
    public static final int MAX_MEMORY_MB = 1024;
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(15);
    public static final long MAX_CODE_BYTES = 48L * 1024 * 1024;
    public static final int MAX_CONCURRENCY = 120;
    /** Selects how the bootstrap wrapper runs the bootstrap: {@code process} (default) or {@code persistent}. */
    public static final String WORKER_MODE_OPTION = "digitalocean.workerMode";
    static final String WORKER_MODE_ENV = "FAASX_WORKER_MODE";
    private static final Pattern RUNTIME = Pattern.compile("(nodejs|python|go|php):[A-Za-z0-9.]{1,20}");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]{0,127}");

    private ActionSpec() {
    }

    /** The body of {@code PUT …/actions/{name}}. */
    public static ObjectNode build(ObjectMapper json, long jobId, FunctionPackage pkg, FaasConfig config,
                                   ErrorContext ctx) {
        List<String> violations = new ArrayList<>();
        String kind = null;
        String main = "main";
        byte[] zip = null;
        if (pkg instanceof FunctionPackage.NativeZip nativeZip) {
            kind = BootstrapAction.KIND;
            try {
                zip = BootstrapAction.wrap(nativeZip.zip());
            } catch (IllegalArgumentException e) {
                violations.add(e.getMessage());
            }
        } else if (pkg instanceof FunctionPackage.SourceBundle bundle) {
            kind = bundle.runtime();
            main = bundle.entryPoint();
            zip = bundle.zip();
            if (!RUNTIME.matcher(kind).matches()) {
                violations.add("DigitalOcean Functions runs nodejs, python, go and php runtimes (for example"
                        + " python:3.11 or nodejs:18), not '" + kind + "'");
            }
            if (!FUNCTION_NAME.matcher(main).matches()) {
                violations.add("the entry point must be a function name, was '" + main + "'");
            }
        } else {
            violations.add("DigitalOcean Functions runs NATIVE_BOOTSTRAP and SOURCE_BUNDLE packages, not "
                    + pkg.kind() + (pkg.kind().name().equals("JAR") ? " (it has no Java runtime)" : ""));
        }
        violations.addAll(configViolations(config));
        if (zip != null && zip.length > MAX_CODE_BYTES) {
            violations.add("the action's zip is " + zip.length + " bytes; DigitalOcean Functions allows at most 48 MB ("
                    + MAX_CODE_BYTES + " bytes)");
        }
        if (!violations.isEmpty()) {
            throw new InvalidRequestException("cannot deploy job " + jobId + " to DigitalOcean Functions: "
                    + String.join("; ", violations), violations, ctx, null);
        }
        ObjectNode action = json.createObjectNode();
        action.putObject("exec").put("kind", kind).put("binary", true).put("main", main)
                .put("code", Base64.getEncoder().encodeToString(zip));
        action.putObject("limits").put("timeout", config.timeout().toMillis()).put("memory", config.memoryMb());
        ArrayNode params = action.putArray("parameters");
        config.envVars().forEach((k, v) -> params.addObject().put("key", k).put("value", v).put("init", true));
        String mode = config.providerOptions().get(WORKER_MODE_OPTION);
        if (mode != null) {
            params.addObject().put("key", WORKER_MODE_ENV).put("value", mode.toLowerCase(Locale.ROOT))
                    .put("init", true);
        }
        ArrayNode annotations = action.putArray("annotations");
        annotations.addObject().put("key", "faasx-job").put("value", jobId);
        annotations.addObject().put("key", "provide-api-key").put("value", false);
        return action;
    }

    static List<String> configViolations(FaasConfig config) {
        List<String> out = new ArrayList<>();
        if (config.memoryMb() < MIN_MEMORY_MB || config.memoryMb() > MAX_MEMORY_MB) {
            out.add("memory must be between " + MIN_MEMORY_MB + " and " + MAX_MEMORY_MB
                    + " MB on DigitalOcean Functions, was " + config.memoryMb());
        }
        if (config.timeout().compareTo(MAX_TIMEOUT) > 0) {
            out.add("the timeout must be at most 15 minutes on DigitalOcean Functions, was " + config.timeout());
        }
        if (config.maxConcurrency() > MAX_CONCURRENCY) {
            out.add("DigitalOcean Functions runs at most " + MAX_CONCURRENCY + " invocations of a namespace at once,"
                    + " so maxConcurrency " + config.maxConcurrency() + " cannot be met");
        }
        if (config.keepWarmInstances() > 0) {
            out.add("DigitalOcean Functions cannot keep instances warm ahead of calls (keepWarmInstances "
                    + config.keepWarmInstances() + "); call warm(jobId) instead");
        }
        for (String name : config.envVars().keySet()) {
            if (name.startsWith("__OW_")) {
                out.add("environment variable " + name + " is reserved by OpenWhisk");
            }
        }
        String mode = config.providerOptions().get(WORKER_MODE_OPTION);
        if (mode != null && !Map.of("process", 1, "persistent", 1).containsKey(mode.toLowerCase(Locale.ROOT))) {
            out.add(WORKER_MODE_OPTION + " must be 'process' or 'persistent', was '" + mode + "'");
        }
        return out;
    }
}
