package dev.faasx.testkit;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The environment variables a function sees, for handlers that may run in-process as well as in a real function
 * process.
 *
 * <p>A JVM cannot change its own environment, so an in-process platform such as {@link InMemoryExecutor} cannot
 * give a handler the {@link dev.faasx.core.FaasConfig#envVars() configured environment variables} the way a
 * separate function process would get them. Instead it binds them to the thread that runs the call, for the
 * duration of the call, with {@link #with(Map, Callable)}. {@link #get(String)} answers a bound value first and
 * otherwise falls back to {@link System#getenv(String)}, so a handler that uses it reads its configuration
 * correctly in both places: in-process through the binding, in a real function process through the real
 * environment. {@link CompatibilityFunction} reads environment variables this way.
 *
 * <p>The binding belongs to one thread and ends when the call ends; a handler that hands work to other threads
 * must read the values it needs first. Thread-safe.
 *
 * <pre>{@code
 * String region = FunctionEnvironment.get("REGION").orElse("local");
 *
 * // testing a handler directly, as InMemoryExecutor runs it:
 * JobOutput out = FunctionEnvironment.with(Map.of("REGION", "eu"), () -> handler.handle(call));
 * }</pre>
 */
public final class FunctionEnvironment {

    // Thread-confined and always restored in a finally block, so no state outlives a call.
    private static final ThreadLocal<Map<String, String>> BOUND = new ThreadLocal<>();

    private FunctionEnvironment() {
    }

    /**
     * The value of environment variable {@code name}: the value bound to this thread by the platform running the
     * call, or else the process environment's value, or empty when neither has it.
     */
    public static Optional<String> get(String name) {
        Objects.requireNonNull(name, "name");
        Map<String, String> bound = BOUND.get();
        if (bound != null && bound.containsKey(name)) {
            return Optional.of(bound.get(name));
        }
        return Optional.ofNullable(System.getenv(name));
    }

    /**
     * Runs {@code action} on the current thread with {@code environment} bound, then restores whatever was bound
     * before (bindings nest). Values bound here take precedence over the process environment in {@link #get}.
     *
     * @return what {@code action} returned
     * @throws Exception whatever {@code action} throws
     */
    public static <T> T with(Map<String, String> environment, Callable<T> action) throws Exception {
        Map<String, String> copy = Map.copyOf(environment);
        Objects.requireNonNull(action, "action");
        Map<String, String> previous = BOUND.get();
        BOUND.set(copy);
        try {
            return action.call();
        } finally {
            if (previous == null) {
                BOUND.remove();
            } else {
                BOUND.set(previous);
            }
        }
    }
}
