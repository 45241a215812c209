package dev.faasx.aws.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.lambda.model.Architecture;

/**
 * Everything a deployment sends to Lambda, worked out (and checked) from a {@link FunctionPackage} and a
 * {@link FaasConfig} before any request is made.
 *
 * @param functionName        the Lambda function name
 * @param runtime             {@code provided.al2023} or a managed Java runtime
 * @param handler             the Lambda handler string
 * @param architecture        x86_64 or arm64
 * @param memoryMb            memory size
 * @param timeoutSeconds      timeout in whole seconds
 * @param environment         environment variables, including the ones faasx adds
 * @param code                the zip or JAR bytes
 * @param reservedConcurrency reserved concurrency to set (only when asked for), or {@code null} to remove any
 * @param keepWarm            provisioned concurrency for the keep-warm alias (0 = none)
 * @param logFormat           Lambda's log format, {@code Text} or {@code JSON}
 */
public record FunctionSettings(String functionName, String runtime, String handler, Architecture architecture,
                               int memoryMb, int timeoutSeconds, Map<String, String> environment, SdkBytes code,
                               Integer reservedConcurrency, int keepWarm, String logFormat) {

    /** The runtime a native {@code bootstrap} package runs on. */
    public static final String NATIVE_RUNTIME = "provided.al2023";
    /** Java runtimes faasx deploys JARs to. */
    public static final Set<String> JAVA_RUNTIMES = Set.of("java17", "java21");
    public static final String DEFAULT_JAVA_RUNTIME = "java21";
    /** The Lambda handler that runs a faasx {@code JobHandler} on a managed Java runtime. */
    public static final String JOB_HANDLER_ADAPTER = "dev.faasx.aws.function.LambdaJobHandler";
    /** The environment variable that names the user's {@code JobHandler} class for the adapter. */
    public static final String HANDLER_ENV = "FAASX_HANDLER";
    /** Lambda's limit on all environment variables together. */
    public static final int MAX_ENVIRONMENT_BYTES = 4096;

    public static final String OPTION_ARCHITECTURE = "aws.architecture";
    public static final String OPTION_RUNTIME = "aws.runtime";
    public static final String OPTION_RESERVED_CONCURRENCY = "aws.reservedConcurrency";
    public static final String OPTION_LOG_FORMAT = "aws.logFormat";

    /** Names Lambda sets itself and refuses to take from a configuration. */
    private static final Set<String> RESERVED_ENV = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
            "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR");

    /**
     * Works out the settings, or throws one {@link InvalidRequestException} listing every problem found.
     *
     * @param viaS3 whether packages over the direct-upload limit can go through an S3 bucket
     */
    public static FunctionSettings of(String functionName, FunctionPackage pkg, FaasConfig config,
                                      ErrorContext context, boolean viaS3) {
        List<String> problems = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>(config.envVars());
        String runtime;
        String handler;
        byte[] code;
        if (pkg instanceof FunctionPackage.NativeZip zip) {
            code = zip.zip();
            runtime = NATIVE_RUNTIME;
            handler = "bootstrap";
            problems.addAll(PackageInspector.nativeZipProblems(code, viaS3));
            if (config.providerOptions().containsKey(OPTION_RUNTIME)) {
                problems.add(OPTION_RUNTIME + " applies to JAR packages; a bootstrap zip always runs on "
                        + NATIVE_RUNTIME);
            }
        } else if (pkg instanceof FunctionPackage.Jar jar) {
            code = jar.jar();
            runtime = config.providerOptions().getOrDefault(OPTION_RUNTIME, DEFAULT_JAVA_RUNTIME);
            if (!JAVA_RUNTIMES.contains(runtime)) {
                problems.add(OPTION_RUNTIME + " must be one of " + JAVA_RUNTIMES + ", was '" + runtime + "'");
            }
            List<String> required = new ArrayList<>();
            if (jar.handlerClass().contains("::")) {
                handler = jar.handlerClass();
                required.add(handler.substring(0, handler.indexOf("::")));
            } else {
                handler = JOB_HANDLER_ADAPTER + "::handleRequest";
                required.add(JOB_HANDLER_ADAPTER);
                required.add(jar.handlerClass());
                if (env.containsKey(HANDLER_ENV)) {
                    problems.add("environment variable " + HANDLER_ENV + " is set by faasx to the JAR's"
                            + " handler class; do not set it yourself");
                }
                env.put(HANDLER_ENV, jar.handlerClass());
            }
            problems.addAll(PackageInspector.jarProblems(code, required, viaS3));
        } else {
            throw new InvalidRequestException("AWS Lambda cannot run a " + pkg.kind() + " package;"
                    + " it runs NATIVE_BOOTSTRAP (a zip with 'bootstrap', on " + NATIVE_RUNTIME
                    + ") and JAR (a JAR with a handler class, on " + JAVA_RUNTIMES + ")", context);
        }
        Architecture architecture = architecture(config, problems);
        Integer reserved = reservedConcurrency(config, problems);
        String logFormat = logFormat(config, problems);
        checkEnvironment(env, problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("cannot deploy " + functionName + " to AWS Lambda: "
                    + String.join("; ", problems), problems, context, null);
        }
        return new FunctionSettings(functionName, runtime, handler, architecture, config.memoryMb(),
                (int) config.timeoutSeconds(), Map.copyOf(env), SdkBytes.fromByteArrayUnsafe(code), reserved,
                config.keepWarmInstances(), logFormat);
    }

    private static Architecture architecture(FaasConfig config, List<String> problems) {
        String value = config.providerOptions().getOrDefault(OPTION_ARCHITECTURE, "x86_64").toLowerCase(Locale.ROOT);
        return switch (value) {
            case "x86_64", "x86-64", "amd64" -> Architecture.X86_64;
            case "arm64", "aarch64" -> Architecture.ARM64;
            default -> {
                problems.add(OPTION_ARCHITECTURE + " must be x86_64 or arm64, was '" + value + "'");
                yield Architecture.X86_64;
            }
        };
    }

    private static Integer reservedConcurrency(FaasConfig config, List<String> problems) {
        // Off unless asked for: a reservation takes concurrency from every other function in the account, and on new
        // accounts (whose unreserved minimum is most of their limit) even a small one is refused.
        String value = config.providerOptions().getOrDefault(OPTION_RESERVED_CONCURRENCY, "false");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true" -> config.maxConcurrency();
            case "false" -> null;
            default -> {
                problems.add(OPTION_RESERVED_CONCURRENCY + " must be true or false, was '" + value + "'");
                yield null;
            }
        };
    }

    private static String logFormat(FaasConfig config, List<String> problems) {
        String value = config.providerOptions().getOrDefault(OPTION_LOG_FORMAT, "Text");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "text" -> "Text";
            case "json" -> "JSON";
            default -> {
                problems.add(OPTION_LOG_FORMAT + " must be Text or JSON, was '" + value + "'");
                yield "Text";
            }
        };
    }

    private static void checkEnvironment(Map<String, String> env, List<String> problems) {
        int bytes = 0;
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (RESERVED_ENV.contains(e.getKey())) {
                problems.add("environment variable " + e.getKey() + " is reserved by Lambda and cannot be set");
            }
            bytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes > MAX_ENVIRONMENT_BYTES) {
            problems.add("environment variables take " + bytes + " bytes, over Lambda's " + MAX_ENVIRONMENT_BYTES
                    + "-byte limit: move large values to a parameter store or the package");
        }
    }

    @Override
    public String toString() {
        return "FunctionSettings[" + functionName + ", " + runtime + ", " + architecture + ", " + memoryMb + " MB, "
                + timeoutSeconds + " s, log " + logFormat + ", env=" + environment.keySet() + ", code=" + code.asByteArrayUnsafe().length
                + " bytes]";
    }
}
