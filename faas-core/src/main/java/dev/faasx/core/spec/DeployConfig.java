package dev.faasx.core.spec;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The deploy configuration a client sends in the {@value #HEADER} header of {@code PUT /api/functions/{id}}: the
 * base64 of JSON {@code {"memory_mb":512,"timeout_secs":300,"max_concurrency":100,"env_vars":{}}} (spec v1) plus
 * the extensions {@code "worker_mode":"process"|"persistent"} and {@code "keep_warm":N}.
 *
 * <p>Validated on construction against the spec's limits (memory 128–10240 MiB, timeout 1–900 s, concurrency
 * 1–1000, keep-warm 0..max_concurrency, environment names {@code [A-Za-z_][A-Za-z0-9_]*}); every violation is
 * reported at once in one {@link InvalidRequestException} whose {@link InvalidRequestException#violations()} each
 * name the wire field. A field missing from the header takes the {@link FaasConfig#defaults() default}.
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * String header = DeployConfig.from(faasConfig).toHeader();          // client
 * DeployConfig config = DeployConfig.fromHeader(request.header(DeployConfig.HEADER)); // server
 * }</pre>
 *
 * @param memoryMb       memory per instance in MiB ({@code memory_mb})
 * @param timeout        the longest one invocation may run, whole seconds ({@code timeout_secs}); a fraction is
 *                       rounded up
 * @param maxConcurrency the most invocations that may run at once ({@code max_concurrency})
 * @param envVars        environment variables for the function process ({@code env_vars})
 * @param workerMode     how the platform should run the function ({@code worker_mode}); empty = the platform's
 *                       default, {@link WorkerMode#PROCESS} for a spec v1 platform
 * @param keepWarm       instances to keep started ahead of calls ({@code keep_warm}); 0 = none
 */
public record DeployConfig(int memoryMb, Duration timeout, int maxConcurrency, Map<String, String> envVars,
                           Optional<WorkerMode> workerMode, int keepWarm) {

    /** The HTTP header that carries the configuration. */
    public static final String HEADER = "X-Blueprint-Config";
    /** The {@link FaasConfig#providerOptions()} key that carries {@code worker_mode}. */
    public static final String WORKER_MODE_OPTION = "worker_mode";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public DeployConfig {
        Objects.requireNonNull(timeout, "timeout");
        envVars = envVars == null ? Map.of() : envVars;
        workerMode = workerMode == null ? Optional.empty() : workerMode;
        long seconds = timeout.getSeconds() + (timeout.getNano() > 0 ? 1 : 0);
        List<String> violations = violations(memoryMb, seconds, maxConcurrency, envVars, keepWarm);
        if (!violations.isEmpty()) {
            throw invalid("invalid deploy configuration", violations);
        }
        timeout = Duration.ofSeconds(seconds);
        envVars = Map.copyOf(envVars);
    }

    /** The configuration a platform uses when no header is sent: {@link FaasConfig#defaults()}. */
    public static DeployConfig defaults() {
        return from(FaasConfig.defaults());
    }

    /**
     * The wire form of {@code config}. Its provider option {@value #WORKER_MODE_OPTION} becomes {@code worker_mode};
     * other provider options are not part of the spec and are left out.
     *
     * @throws InvalidRequestException when the {@value #WORKER_MODE_OPTION} option is neither {@code process} nor
     *                                 {@code persistent}
     */
    public static DeployConfig from(FaasConfig config) {
        Optional<WorkerMode> mode = Optional.empty();
        String option = config.providerOptions().get(WORKER_MODE_OPTION);
        if (option != null) {
            mode = WorkerMode.fromWireName(option);
            if (mode.isEmpty()) {
                throw invalid("invalid deploy configuration", List.of(workerModeViolation(option)));
            }
        }
        return new DeployConfig(config.memoryMb(), Duration.ofSeconds(config.timeoutSeconds()),
                config.maxConcurrency(), config.envVars(), mode, config.keepWarmInstances());
    }

    /**
     * Decodes the {@value #HEADER} header value.
     *
     * @throws InvalidRequestException when the value is not base64, not a JSON object, or holds values of the wrong
     *                                 type or out of range; one violation per problem, each naming its field
     */
    public static DeployConfig fromHeader(String headerValue) {
        return SpecCodec.shared().decodeDeployConfigHeader(headerValue);
    }

    /** This configuration as a {@value #HEADER} header value (base64 of the JSON). */
    public String toHeader() {
        return SpecCodec.shared().encodeDeployConfigHeader(this);
    }

    /**
     * This configuration as a {@link FaasConfig}; the worker mode, when set, becomes the provider option
     * {@value #WORKER_MODE_OPTION}.
     */
    public FaasConfig toFaasConfig() {
        FaasConfig.Builder builder = FaasConfig.builder().memoryMb(memoryMb).timeout(timeout)
                .maxConcurrency(maxConcurrency).envVars(envVars).keepWarmInstances(keepWarm);
        workerMode.ifPresent(m -> builder.providerOption(WORKER_MODE_OPTION, m.wireName()));
        return builder.build();
    }

    /** The timeout in whole seconds, as {@code timeout_secs} carries it. */
    public long timeoutSecs() {
        return timeout.getSeconds();
    }

    /** The worker mode, or {@link WorkerMode#PROCESS} when none was asked for. */
    public WorkerMode effectiveWorkerMode() {
        return workerMode.orElse(WorkerMode.PROCESS);
    }

    /**
     * Every rule the given wire values break, one sentence each naming the field; empty when they are valid. Used by
     * the constructor and by the header decoder, which sees values too large for an {@code int}.
     */
    static List<String> violations(long memoryMb, long timeoutSecs, long maxConcurrency, Map<String, String> env,
                                   long keepWarm) {
        List<String> out = new ArrayList<>();
        if (memoryMb < FaasConfig.MIN_MEMORY_MB || memoryMb > FaasConfig.MAX_MEMORY_MB) {
            out.add("memory_mb must be between " + FaasConfig.MIN_MEMORY_MB + " and " + FaasConfig.MAX_MEMORY_MB
                    + ", was " + memoryMb);
        }
        long maxTimeout = FaasConfig.MAX_TIMEOUT.getSeconds();
        if (timeoutSecs < FaasConfig.MIN_TIMEOUT.getSeconds() || timeoutSecs > maxTimeout) {
            out.add("timeout_secs must be between 1 and " + maxTimeout + ", was " + timeoutSecs);
        }
        if (maxConcurrency < 1 || maxConcurrency > FaasConfig.MAX_CONCURRENCY) {
            out.add("max_concurrency must be between 1 and " + FaasConfig.MAX_CONCURRENCY + ", was "
                    + maxConcurrency);
        }
        if (keepWarm < 0 || keepWarm > Math.max(1, maxConcurrency)) {
            out.add("keep_warm must be between 0 and max_concurrency (" + maxConcurrency + "), was " + keepWarm);
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                out.add("env_vars name " + quote(name)
                        + " is invalid: use letters, digits and '_', not starting with a digit");
            }
            if (e.getValue() == null) {
                out.add("env_vars." + name + " has no value");
            } else if (e.getValue().indexOf('\0') >= 0) {
                out.add("env_vars." + name + " contains a NUL character");
            }
        }
        return out;
    }

    static String workerModeViolation(String value) {
        return "worker_mode must be \"process\" or \"persistent\", was " + quote(value);
    }

    static InvalidRequestException invalid(String what, List<String> violations) {
        return new InvalidRequestException(what + ": " + String.join("; ", violations), violations,
                ErrorContext.builder("spec").code(ErrorCode.INVALID_CONFIG.name()).build(), null);
    }

    private static String quote(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
