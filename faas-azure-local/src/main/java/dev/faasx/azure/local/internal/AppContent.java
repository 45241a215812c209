package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A deployed function app's content as the Functions host reads it: {@code host.json} with its
 * {@code customHandler} section and one folder per function holding a {@code function.json} with an HTTP trigger.
 */
public record AppContent(Path wwwroot, String executable, List<String> arguments, Path workingDirectory,
                         boolean proxying, Duration functionTimeout, Map<String, FunctionDef> functions) {

    /** The default and longest function timeout of a consumption plan: 5 and 10 minutes. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    private static final Pattern TIMESPAN = Pattern.compile("(?:(\\d+)\\.)?(\\d{1,2}):(\\d{2}):(\\d{2})");
    private static final Pattern FUNCTION_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,127}");

    /** One HTTP-triggered function. */
    public record FunctionDef(String name, String authLevel, List<String> methods, String route) {
        boolean allows(String method) {
            return methods.isEmpty() || methods.contains(method.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Reads {@code wwwroot}.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    static AppContent read(Path wwwroot, ObjectMapper json) {
        Path hostJson = wwwroot.resolve("host.json");
        if (!Files.isRegularFile(hostJson)) {
            throw new IllegalArgumentException("the package has no host.json at its root");
        }
        JsonNode host = parse(hostJson, json);
        JsonNode handler = host.path("customHandler");
        if (!handler.isObject()) {
            throw new IllegalArgumentException("host.json has no customHandler section: this host runs custom"
                    + " handlers only");
        }
        JsonNode description = handler.path("description");
        String executable = description.path("defaultExecutablePath").asText("");
        if (executable.isBlank()) {
            throw new IllegalArgumentException("host.json: customHandler.description.defaultExecutablePath is empty");
        }
        List<String> arguments = new ArrayList<>();
        description.path("arguments").forEach(a -> arguments.add(a.asText()));
        String workDir = description.path("workingDirectory").asText("");
        Path working = workDir.isBlank() ? wwwroot : wwwroot.resolve(workDir).normalize();
        if (!working.startsWith(wwwroot)) {
            throw new IllegalArgumentException("host.json: workingDirectory leaves the app's folder");
        }
        boolean proxying = handler.path("enableForwardingHttpRequest").asBoolean(false)
                || handler.path("enableProxyingHttpRequest").asBoolean(false);
        Duration timeout = timeout(host.path("functionTimeout"));
        Map<String, FunctionDef> functions = new LinkedHashMap<>();
        try (Stream<Path> dirs = Files.list(wwwroot)) {
            for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                Path functionJson = dir.resolve("function.json");
                if (Files.isRegularFile(functionJson)) {
                    FunctionDef def = function(dir.getFileName().toString(), parse(functionJson, json));
                    functions.put(def.name().toLowerCase(Locale.ROOT), def);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the deployed files: " + e.getMessage());
        }
        if (functions.isEmpty()) {
            throw new IllegalArgumentException("the package holds no function: add a folder with a function.json");
        }
        return new AppContent(wwwroot, executable, List.copyOf(arguments), working, proxying, timeout,
                Map.copyOf(functions));
    }

    private static FunctionDef function(String name, JsonNode config) {
        if (!FUNCTION_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("function name '" + name + "' is not valid");
        }
        for (JsonNode binding : config.path("bindings")) {
            if (binding.path("type").asText("").equalsIgnoreCase("httpTrigger")
                    && binding.path("direction").asText("in").equalsIgnoreCase("in")) {
                List<String> methods = new ArrayList<>();
                binding.path("methods").forEach(m -> methods.add(m.asText().toLowerCase(Locale.ROOT)));
                String auth = binding.path("authLevel").asText("function").toLowerCase(Locale.ROOT);
                if (!List.of("anonymous", "function", "admin").contains(auth)) {
                    throw new IllegalArgumentException(name + "/function.json: authLevel '" + auth
                            + "' is not anonymous, function or admin");
                }
                String route = binding.path("route").asText(name);
                return new FunctionDef(name, auth, List.copyOf(methods), route);
            }
        }
        throw new IllegalArgumentException(name + "/function.json has no httpTrigger binding: this host runs"
                + " HTTP-triggered functions only");
    }

    private static Duration timeout(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return DEFAULT_TIMEOUT;
        }
        Matcher m = TIMESPAN.matcher(value.asText(""));
        if (!m.matches()) {
            throw new IllegalArgumentException("host.json: functionTimeout '" + value.asText()
                    + "' is not a timespan like 00:05:00");
        }
        Duration d = Duration.ofDays(m.group(1) == null ? 0 : Long.parseLong(m.group(1)))
                .plusHours(Long.parseLong(m.group(2))).plusMinutes(Long.parseLong(m.group(3)))
                .plusSeconds(Long.parseLong(m.group(4)));
        if (d.isZero() || d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("host.json: functionTimeout must be between 00:00:01 and 00:10:00"
                    + " on a consumption plan, was " + value.asText());
        }
        return d;
    }

    private static JsonNode parse(Path file, ObjectMapper json) {
        try {
            JsonNode node = json.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException(file.getFileName() + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new IllegalArgumentException(file.getFileName() + " is not valid JSON: " + e.getMessage());
        }
    }
}
