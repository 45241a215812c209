package dev.faasx.core;

import dev.faasx.core.internal.Checks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How a function is deployed: memory, timeout, concurrency, environment, keep-warm and provider-specific options.
 * Validated on construction; every violation is reported at once in one {@link InvalidRequestException}.
 *
 * <pre>{@code
 * FaasConfig config = FaasConfig.builder()
 *     .memoryMb(1024)
 *     .timeout(Duration.ofSeconds(30))
 *     .maxConcurrency(50)
 *     .envVar("LOG_LEVEL", "info")
 *     .build();
 * }</pre>
 *
 * <p>Limits follow the spec: memory {@value #MIN_MEMORY_MB}–{@value #MAX_MEMORY_MB} MiB, timeout 1–900 s
 * (whole seconds; a fraction is rounded up when sent), concurrency 1–1000, environment variable names
 * {@code [A-Za-z_][A-Za-z0-9_]*}, keep-warm 0..max concurrency. Providers may check tighter limits of their own.
 *
 * @param memoryMb          memory per instance, in MiB
 * @param timeout           the longest one invocation may run
 * @param maxConcurrency    the most invocations that may run at once
 * @param envVars           environment variables for the function process
 * @param keepWarmInstances instances to keep started ahead of calls (0 = none)
 * @param providerOptions   settings only one provider understands, for example {@code "aws.architecture"}
 */
public record FaasConfig(int memoryMb, Duration timeout, int maxConcurrency, Map<String, String> envVars,
                         int keepWarmInstances, Map<String, String> providerOptions) {

    public static final int MIN_MEMORY_MB = 128;
    public static final int MAX_MEMORY_MB = 10_240;
    public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(900);
    public static final int MAX_CONCURRENCY = 1000;
    public static final int DEFAULT_MEMORY_MB = 512;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    public static final int DEFAULT_MAX_CONCURRENCY = 100;

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final FaasConfig DEFAULTS = builder().build();

    public FaasConfig {
        envVars = envVars == null ? Map.of() : envVars;
        providerOptions = providerOptions == null ? Map.of() : providerOptions;
        List<String> violations = violations(memoryMb, timeout, maxConcurrency, envVars, keepWarmInstances);
        if (!violations.isEmpty()) {
            throw new InvalidRequestException("invalid function configuration: " + String.join("; ", violations),
                    violations, ErrorContext.of("config"), null);
        }
        envVars = Map.copyOf(envVars);
        providerOptions = Checks.copyOfStrings(providerOptions, "providerOptions");
    }

    /** 512 MiB, 300 s, 100 concurrent invocations, no environment, no keep-warm. */
    public static FaasConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().memoryMb(memoryMb).timeout(timeout).maxConcurrency(maxConcurrency).envVars(envVars)
                .keepWarmInstances(keepWarmInstances).providerOptions(providerOptions);
    }

    /** The timeout in whole seconds, rounded up, as the spec's {@code timeout_secs} carries it. */
    public long timeoutSeconds() {
        long seconds = timeout.getSeconds();
        return timeout.getNano() > 0 ? seconds + 1 : seconds;
    }

    private static List<String> violations(int memoryMb, Duration timeout, int maxConcurrency,
                                           Map<String, String> envVars, int keepWarm) {
        List<String> out = new ArrayList<>();
        if (memoryMb < MIN_MEMORY_MB || memoryMb > MAX_MEMORY_MB) {
            out.add("memoryMb must be between " + MIN_MEMORY_MB + " and " + MAX_MEMORY_MB + ", was " + memoryMb);
        }
        if (timeout == null) {
            out.add("timeout must be set");
        } else if (timeout.compareTo(MIN_TIMEOUT) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            out.add("timeout must be between 1s and 900s, was " + timeout);
        }
        if (maxConcurrency < 1 || maxConcurrency > MAX_CONCURRENCY) {
            out.add("maxConcurrency must be between 1 and " + MAX_CONCURRENCY + ", was " + maxConcurrency);
        }
        if (keepWarm < 0 || keepWarm > Math.max(1, maxConcurrency)) {
            out.add("keepWarmInstances must be between 0 and maxConcurrency (" + maxConcurrency + "), was "
                    + keepWarm);
        }
        for (Map.Entry<String, String> e : envVars.entrySet()) {
            if (e.getKey() == null || !ENV_NAME.matcher(e.getKey()).matches()) {
                out.add("environment variable name " + quote(e.getKey())
                        + " is invalid: use letters, digits and '_', not starting with a digit");
            }
            if (e.getValue() == null) {
                out.add("environment variable " + quote(e.getKey()) + " has no value");
            } else if (e.getValue().indexOf('\0') >= 0) {
                out.add("environment variable " + quote(e.getKey()) + " contains a NUL character");
            }
        }
        return out;
    }

    private static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    /** Builds a {@link FaasConfig}; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private int memoryMb = DEFAULT_MEMORY_MB;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
        private final Map<String, String> envVars = new LinkedHashMap<>();
        private int keepWarmInstances;
        private final Map<String, String> providerOptions = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder memoryMb(int value) {
            this.memoryMb = value;
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        public Builder maxConcurrency(int value) {
            this.maxConcurrency = value;
            return this;
        }

        public Builder envVar(String name, String value) {
            envVars.put(name, value);
            return this;
        }

        public Builder envVars(Map<String, String> values) {
            envVars.putAll(values);
            return this;
        }

        public Builder keepWarmInstances(int value) {
            this.keepWarmInstances = value;
            return this;
        }

        public Builder providerOption(String key, String value) {
            providerOptions.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder providerOptions(Map<String, String> values) {
            values.forEach(this::providerOption);
            return this;
        }

        /**
         * @throws InvalidRequestException listing every violation
         */
        public FaasConfig build() {
            return new FaasConfig(memoryMb, timeout, maxConcurrency, new LinkedHashMap<>(envVars),
                    keepWarmInstances, providerOptions);
        }
    }
}
