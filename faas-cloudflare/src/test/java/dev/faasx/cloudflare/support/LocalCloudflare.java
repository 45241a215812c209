package dev.faasx.cloudflare.support;

import dev.faasx.cloudflare.CloudflareCredentials;
import dev.faasx.cloudflare.CloudflareWorkersExecutor;
import dev.faasx.cloudflare.CloudflareWorkersExecutorBuilder;
import dev.faasx.cloudflare.LocalCloudflareApi;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.WorkerModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/** Wiring of executors to a {@link LocalCloudflareApi}, and the test Workers kept as resources. */
public final class LocalCloudflare {
    private LocalCloudflare() {
    }

    /** An executor builder pointed at {@code api}, polling Analytics Engine quickly. */
    public static CloudflareWorkersExecutorBuilder executor(LocalCloudflareApi api) {
        return CloudflareWorkersExecutor.builder()
                .credentials(CloudflareCredentials.fromEnvironment(api.environment()))
                .apiBaseUrl(api.baseUrl())
                .workerUrlTemplate(api.workerUrlTemplate())
                .analyticsPollInterval(Duration.ofMillis(100))
                .readinessTimeout(Duration.ofSeconds(60));
    }

    /** The compatibility protocol as a JavaScript Worker (test resource {@code workers/compatibility.js}). */
    public static FunctionPackage.WorkerModules compatibilityWorker() {
        return FunctionPackage.workerModules("compatibility.js",
                List.of(WorkerModule.esModule("compatibility.js", resource("workers/compatibility.js"))));
    }

    public static String resource(String path) {
        try (InputStream in = LocalCloudflare.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
