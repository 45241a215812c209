package dev.faasx.cloudflare;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.WorkerModule;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Worker as {@link LocalWorkersRuntime} runs it: a script name, ES modules (JavaScript, WebAssembly, text, data)
 * with one main module, a compatibility date and flags, and bindings.
 *
 * <pre>{@code
 * WorkerScript script = WorkerScript.of("hello",
 *     FunctionPackage.workerModules("worker.js", List.of(WorkerModule.esModule("worker.js",
 *         "export default { fetch() { return new Response('hi'); } }"))));
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param name               the script name: lower-case letters, digits, '-' and '_', at most 63 characters
 * @param modules            the modules, including the main module
 * @param compatibilityDate  the Workers compatibility date, {@code YYYY-MM-DD}
 * @param compatibilityFlags compatibility flags, for example {@code nodejs_compat}
 * @param bindings           what the Worker finds on {@code env}; names must be unique
 */
public record WorkerScript(String name, FunctionPackage.WorkerModules modules, String compatibilityDate,
                           List<String> compatibilityFlags, List<WorkerBinding> bindings) {

    /** The compatibility date used when none is given. */
    public static final String DEFAULT_COMPATIBILITY_DATE = "2025-09-01";

    /** Script names as Cloudflare accepts them (they become a DNS label on workers.dev). */
    public static final Pattern SCRIPT_NAME = Pattern.compile("[a-z0-9_][a-z0-9_-]{0,62}");

    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern FLAG = Pattern.compile("[a-z0-9_]{1,128}");

    public WorkerScript {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modules, "modules");
        Objects.requireNonNull(compatibilityDate, "compatibilityDate");
        compatibilityFlags = List.copyOf(compatibilityFlags);
        bindings = List.copyOf(bindings);
        if (!SCRIPT_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("script name must be lower-case letters, digits, '-' and '_' "
                    + "(at most 63, not starting with '-'), was '" + name + "'");
        }
        if (!DATE.matcher(compatibilityDate).matches()) {
            throw new IllegalArgumentException("compatibility date must be YYYY-MM-DD, was '" + compatibilityDate + "'");
        }
        for (String flag : compatibilityFlags) {
            if (!FLAG.matcher(flag).matches()) {
                throw new IllegalArgumentException("invalid compatibility flag '" + flag + "'");
            }
        }
        Set<String> names = new HashSet<>();
        for (WorkerBinding binding : bindings) {
            if (!names.add(binding.name())) {
                throw new IllegalArgumentException("binding name '" + binding.name() + "' is used twice");
            }
        }
    }

    /** A script with the default compatibility date, no flags and no bindings. */
    public static WorkerScript of(String name, FunctionPackage.WorkerModules modules) {
        return new WorkerScript(name, modules, DEFAULT_COMPATIBILITY_DATE, List.of(), List.of());
    }

    /** This script with other bindings. */
    public WorkerScript withBindings(List<WorkerBinding> newBindings) {
        return new WorkerScript(name, modules, compatibilityDate, compatibilityFlags, newBindings);
    }

    /** The main module. */
    public WorkerModule mainModule() {
        return modules.modules().stream().filter(m -> m.name().equals(modules.mainModule())).findFirst()
                .orElseThrow();
    }

    /** The total size of the modules, in bytes. */
    public long sizeBytes() {
        return modules.sizeBytes();
    }
}
