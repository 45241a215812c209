package dev.faasx.aws.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks the values of management requests as Lambda does, answering Lambda's errors for bad ones. */
final class RequestValues {
    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9-_]{1,64}");
    static final Pattern ROLE = Pattern.compile("arn:aws[a-zA-Z-]*:iam::\\d{12}:role/.+");
    static final Set<String> RUNTIMES = Set.of("provided.al2023", "provided.al2", "java17", "java21");
    static final Set<String> RESERVED_ENV = Set.of("_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION",
            "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
            "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR");


    private RequestValues() {
    }

    static byte[] zip(String base64) {
        if (base64 == null || base64.isEmpty()) {
            throw ApiError.invalid("Code must name a ZipFile or an S3Bucket and S3Key (container images are not"
                    + " emulated)");
        }
        byte[] code;
        try {
            code = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "InvalidRequestContentException", "ZipFile is not base64");
        }
        Zips.check(code);
        return code;
    }

    /** {@code LoggingConfig.LogFormat}: {@code Text} or {@code JSON}; {@code fallback} when not given. */
    static String logFormat(JsonNode loggingConfig, String fallback) {
        JsonNode format = loggingConfig.path("LogFormat");
        if (format.isMissingNode() || format.isNull()) {
            return fallback;
        }
        String value = format.asText();
        if (!value.equals("Text") && !value.equals("JSON")) {
            throw new ApiError(400, "ValidationException", "1 validation error detected: Value '" + value
                    + "' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value"
                    + " set: [Text, JSON]");
        }
        return value;
    }

    static String runtime(JsonNode node) {
        String runtime = node.asText("");
        if (!RUNTIMES.contains(runtime)) {
            throw ApiError.invalid("The runtime parameter of " + runtime + " is not supported by this emulator; it runs "
                    + RUNTIMES);
        }
        return runtime;
    }

    static String architecture(JsonNode node) {
        if (node.isMissingNode() || node.isNull() || node.size() == 0) {
            return "x86_64";
        }
        String arch = node.get(0).asText();
        if (!arch.equals("x86_64") && !arch.equals("arm64")) {
            throw new ApiError(400, "ValidationException", "Value '[" + arch + "]' at 'architectures' failed to"
                    + " satisfy constraint");
        }
        return arch;
    }

    static int memory(JsonNode node, int fallback) {
        int mb = node.isMissingNode() || node.isNull() ? fallback : node.asInt();
        if (mb < 128 || mb > 10240) {
            throw new ApiError(400, "ValidationException", "Value '" + mb + "' at 'memorySize' failed to satisfy"
                    + " constraint: Member must have value between 128 and 10240");
        }
        return mb;
    }

    static int timeout(JsonNode node, int fallback) {
        int seconds = node.isMissingNode() || node.isNull() ? fallback : node.asInt();
        if (seconds < 1 || seconds > 900) {
            throw new ApiError(400, "ValidationException", "Value '" + seconds + "' at 'timeout' failed to"
                    + " satisfy constraint: Member must have value between 1 and 900");
        }
        return seconds;
    }

    static Map<String, String> environment(JsonNode node) {
        Map<String, String> env = ApiJson.stringMap(node.path("Variables"));
        var reserved = env.keySet().stream().filter(RESERVED_ENV::contains).toList();
        if (!reserved.isEmpty()) {
            throw ApiError.invalid("Lambda was unable to configure your environment variables because the"
                    + " environment variables you have provided contains reserved keys that are currently not"
                    + " supported for modification. Reserved keys used in this request: " + String.join(", ", reserved));
        }
        int size = env.entrySet().stream().mapToInt(e -> e.getKey().getBytes(StandardCharsets.UTF_8).length
                + e.getValue().getBytes(StandardCharsets.UTF_8).length).sum();
        if (size > 4096) {
            throw ApiError.invalid("Lambda was unable to configure your environment variables because the"
                    + " environment variables you have provided exceeded the 4KB limit.");
        }
        return env;
    }

    static String sha256(byte[] code) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(code));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
