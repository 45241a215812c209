package dev.faasx.gcp.internal;

import com.google.cloud.functions.v2.BuildConfig;
import com.google.cloud.functions.v2.Environment;
import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.ServiceConfig;
import com.google.cloud.functions.v2.Source;
import com.google.cloud.functions.v2.StorageSource;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Everything a deployment sends, worked out and checked from a {@link FunctionPackage} and a {@link FaasConfig}
 * before any request is made: the source zip and the function's build and service settings.
 *
 * @param sourceZip  the zip uploaded to the signed URL
 * @param runtime    the Cloud Functions runtime id
 * @param entryPoint the class the runtime calls
 * @param memoryMb   memory per instance
 * @param function   the function without its storage source (added once uploaded)
 */
public record FunctionSpec(byte[] sourceZip, String runtime, String entryPoint, int memoryMb, Function function) {
    /** The adapter class that runs a faasx {@code JobHandler} on Google's Java runtimes. */
    public static final String ADAPTER = "dev.faasx.gcp.function.JobHttpFunction";
    /** The environment variable naming the {@code JobHandler} class for the adapter. */
    public static final String HANDLER_ENV = "FAASX_HANDLER";
    public static final Set<String> JAVA_RUNTIMES = Set.of("java17", "java21");
    public static final String DEFAULT_RUNTIME = "java21";
    public static final String OPTION_RUNTIME = "gcp.runtime";
    public static final String OPTION_ENTRY_POINT = "gcp.entryPoint";
    public static final String OPTION_INGRESS = "gcp.ingress";
    public static final String OPTION_SERVICE_ACCOUNT = "gcp.serviceAccount";
    public static final String OPTION_MAX_INSTANCES = "gcp.maxInstances";
    public static final String OPTION_CONCURRENCY_PER_INSTANCE = "gcp.concurrencyPerInstance";
    /** Cloud Functions' limit for a source upload through a signed URL. */
    public static final long MAX_SOURCE_BYTES = 100L * 1024 * 1024;
    private static final Pattern RUNTIME = Pattern.compile("[a-z]+[0-9]{1,4}");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");
    private static final Set<String> RESERVED_ENV = Set.of("PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION",
            "FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE", "FUNCTION_NAME", "FUNCTION_REGION", "FUNCTION_IDENTITY",
            "ENTRY_POINT", "GCP_PROJECT", "GOOGLE_CLOUD_PROJECT", "CLOUD_RUN_TIMEOUT_SECONDS");

    /** Works out the settings, or throws one {@link InvalidRequestException} listing every problem. */
    public static FunctionSpec of(String name, long jobId, FunctionPackage pkg, FaasConfig config, ErrorContext ctx) {
        List<String> problems = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(config.envVars());
        Map<String, String> options = config.providerOptions();
        byte[] zip;
        String runtime;
        String entryPoint;
        if (pkg instanceof FunctionPackage.Jar jar) {
            runtime = options.getOrDefault(OPTION_RUNTIME, DEFAULT_RUNTIME);
            if (!JAVA_RUNTIMES.contains(runtime)) {
                problems.add(OPTION_RUNTIME + " must be one of " + JAVA_RUNTIMES + " for a JAR, was '" + runtime + "'");
            }
            entryPoint = options.getOrDefault(OPTION_ENTRY_POINT, ADAPTER);
            if (!CLASS_NAME.matcher(entryPoint).matches()) {
                problems.add(OPTION_ENTRY_POINT + " '" + entryPoint + "' is not a Java class name");
            }
            if (env.containsKey(HANDLER_ENV)) {
                problems.add("environment variable " + HANDLER_ENV + " is set by faasx to the JAR's handler class;"
                        + " do not set it yourself");
            }
            env.put(HANDLER_ENV, jar.handlerClass());
            problems.addAll(jarProblems(jar.jar(), List.of(entryPoint, jar.handlerClass())));
            zip = zipOf("function.jar", jar.jar());
        } else if (pkg instanceof FunctionPackage.SourceBundle bundle) {
            runtime = bundle.runtime();
            entryPoint = bundle.entryPoint();
            if (!RUNTIME.matcher(runtime).matches()) {
                problems.add("runtime '" + runtime + "' is not a Cloud Functions runtime id such as java21 or nodejs20");
            }
            if (entryPoint.isBlank()) {
                problems.add("the source bundle needs an entry point");
            }
            zip = bundle.zip();
            problems.addAll(zipProblems(zip));
        } else {
            throw new InvalidRequestException("Google Cloud Functions cannot run a " + pkg.kind() + " package; it runs"
                    + " JAR (a JAR with a JobHandler class, run by the faasx adapter on " + JAVA_RUNTIMES + ") and"
                    + " SOURCE_BUNDLE (a source zip for a Cloud Functions runtime, with its entry point)", ctx);
        }
        if (zip.length > MAX_SOURCE_BYTES) {
            problems.add("the source zip is " + zip.length + " bytes, over Cloud Functions' " + MAX_SOURCE_BYTES
                    + "-byte limit");
        }
        for (String key : env.keySet()) {
            if (RESERVED_ENV.contains(key) || key.startsWith("X_GOOGLE_")) {
                problems.add("environment variable " + key + " is reserved by Cloud Functions");
            }
        }
        int perInstance = intOption(options, OPTION_CONCURRENCY_PER_INSTANCE, Math.min(config.maxConcurrency(), 1000),
                1, 1000, problems);
        int maxInstances = intOption(options, OPTION_MAX_INSTANCES,
                (config.maxConcurrency() + perInstance - 1) / perInstance, 1, 1000, problems);
        if (config.keepWarmInstances() > maxInstances) {
            problems.add("keepWarmInstances (" + config.keepWarmInstances() + ") must not exceed the maximum number"
                    + " of instances (" + maxInstances + ")");
        }
        ServiceConfig.IngressSettings ingress = ingress(options.getOrDefault(OPTION_INGRESS, "ALLOW_ALL"), problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("cannot deploy " + name + " to Google Cloud Functions: "
                    + String.join("; ", problems), problems, ctx, null);
        }
        ServiceConfig.Builder service = ServiceConfig.newBuilder()
                .setAvailableMemory(config.memoryMb() + "Mi")
                .setTimeoutSeconds((int) config.timeoutSeconds())
                .putAllEnvironmentVariables(env)
                .setMaxInstanceRequestConcurrency(perInstance)
                .setMaxInstanceCount(maxInstances)
                .setMinInstanceCount(config.keepWarmInstances())
                .setIngressSettings(ingress)
                .setAllTrafficOnLatestRevision(true);
        if (perInstance > 1) {
            service.setAvailableCpu("1");
        }
        if (options.containsKey(OPTION_SERVICE_ACCOUNT)) {
            service.setServiceAccountEmail(options.get(OPTION_SERVICE_ACCOUNT));
        }
        Function function = Function.newBuilder()
                .setName(name)
                .setEnvironment(Environment.GEN_2)
                .setBuildConfig(BuildConfig.newBuilder().setRuntime(runtime).setEntryPoint(entryPoint))
                .setServiceConfig(service)
                .putLabels("faasx-job", FunctionNames.label(jobId))
                .putLabels("managed-by", "faasx")
                .build();
        return new FunctionSpec(zip, runtime, entryPoint, config.memoryMb(), function);
    }

    /** The function with its uploaded source. */
    public Function withSource(StorageSource source) {
        return function.toBuilder().setBuildConfig(function.getBuildConfig().toBuilder()
                .setSource(Source.newBuilder().setStorageSource(source))).build();
    }

    private static int intOption(Map<String, String> options, String key, int fallback, int min, int max,
                                 List<String> problems) {
        String value = options.get(key);
        if (value == null) {
            return Math.max(min, Math.min(max, fallback));
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(key + " must be a whole number from " + min + " to " + max + ", was '" + value + "'");
        return min;
    }

    private static ServiceConfig.IngressSettings ingress(String value, List<String> problems) {
        return switch (value.toUpperCase(Locale.ROOT)) {
            case "ALLOW_ALL" -> ServiceConfig.IngressSettings.ALLOW_ALL;
            case "ALLOW_INTERNAL_ONLY" -> ServiceConfig.IngressSettings.ALLOW_INTERNAL_ONLY;
            case "ALLOW_INTERNAL_AND_GCLB" -> ServiceConfig.IngressSettings.ALLOW_INTERNAL_AND_GCLB;
            default -> {
                problems.add(OPTION_INGRESS + " must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB,"
                        + " was '" + value + "'");
                yield ServiceConfig.IngressSettings.ALLOW_ALL;
            }
        };
    }

    /** Problems with a JAR that must contain {@code classes} (the runtime runs it as it is, with no build). */
    static List<String> jarProblems(byte[] jar, List<String> classes) {
        List<String> problems = new ArrayList<>();
        Set<String> names = entries(jar, problems);
        if (names == null) {
            return problems;
        }
        for (String className : new HashSet<>(classes)) {
            String path = className.replace('.', '/') + ".class";
            if (!names.contains(path)) {
                problems.add("the JAR does not contain " + className + " (" + path + "): the runtime runs the JAR"
                        + " as it is, so build a fat JAR that includes faas-gcp-function, faas-core and their"
                        + " dependencies (for example with the maven-shade-plugin)");
            }
        }
        return problems;
    }

    private static List<String> zipProblems(byte[] zip) {
        List<String> problems = new ArrayList<>();
        entries(zip, problems);
        return problems;
    }

    private static Set<String> entries(byte[] zip, List<String> problems) {
        Set<String> names = new HashSet<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                String n = entry.getName();
                if (n.startsWith("/") || n.contains("\\") || n.indexOf('\0') >= 0 || List.of(n.split("/")).contains("..")) {
                    problems.add("zip entry '" + n.replaceAll("\\p{Cntrl}", "?") + "' has an unsafe path");
                } else if (!entry.isDirectory()) {
                    names.add(n);
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add("the package is not a readable zip file: " + e.getMessage());
            return null;
        }
        if (names.isEmpty()) {
            problems.add("the package is not a zip file with entries");
            return null;
        }
        return names;
    }

    private static byte[] zipOf(String entryName, byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(content.length + 512);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(entryName));
            zip.write(content);
            zip.closeEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
