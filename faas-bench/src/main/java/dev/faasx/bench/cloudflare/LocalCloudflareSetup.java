package dev.faasx.bench.cloudflare;

import dev.faasx.cloudflare.LocalWorkersRuntime;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.WorkerModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** What the Cloudflare benchmarks share: the workerd binary and the Worker they deploy. */
final class LocalCloudflareSetup {
    private LocalCloudflareSetup() {
    }

    /** workerd as the runtime finds it, else installed with npm into {@code faas-bench/target/workerd}. */
    static Path workerd() {
        return LocalWorkersRuntime.findWorkerd().orElseGet(() -> {
            try {
                return LocalWorkersRuntime.installWorkerd(Path.of(System.getProperty("faasx.bench.workerdDir",
                        "faas-bench/target/workerd")));
            } catch (IOException e) {
                throw new UncheckedIOException("workerd is needed for the Cloudflare benchmarks", e);
            }
        });
    }

    /** A job that echoes its body: the work is the platform's, not the function's. */
    static FunctionPackage.WorkerModules echoJob() {
        return FunctionPackage.workerModules("echo.js", List.of(WorkerModule.esModule("echo.js",
                "export default { job(call) { return { body: call.body, metadata: call.metadata }; } };")));
    }
}
