package dev.faasx.cloudflare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * A JUnit 5 extension that starts a {@link LocalCloudflareApi} on a {@link LocalWorkersRuntime} (real workerd) before
 * the tests of a class and stops both after them. workerd is found as {@link LocalWorkersRuntime#findWorkerd()}
 * finds it, or else installed with npm into the directory of the system property {@code faasx.workerd.installDir}
 * (default {@code target/workerd}); when neither works the tests are skipped with the reason, never failed.
 *
 * <pre>{@code
 * class MyWorkerTest {
 *     @RegisterExtension
 *     static final LocalCloudflareExtension cloudflare = LocalCloudflareExtension.create();
 *
 *     @Test
 *     void deploys() {
 *         CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
 *                 .credentials(CloudflareCredentials.fromEnvironment(cloudflare.api().environment()))
 *                 .apiBaseUrl(cloudflare.api().baseUrl())
 *                 .workerUrlTemplate(cloudflare.api().workerUrlTemplate())
 *                 .build();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Test methods may also declare a {@link LocalCloudflareApi} or {@link LocalWorkersRuntime} parameter. Register
 * it on a static field: one API per test class, shared by its {@code @Nested} classes. Not for concurrent use by
 * several test classes.
 */
public final class LocalCloudflareExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final Object INSTALL_LOCK = new Object();

    private final UnaryOperator<LocalCloudflareApi.Builder> settings;
    private LocalWorkersRuntime runtime;
    private LocalCloudflareApi api;
    // The class whose before-all started the API: @Nested classes run the callbacks again and share it.
    private String owner;

    private LocalCloudflareExtension(UnaryOperator<LocalCloudflareApi.Builder> settings) {
        this.settings = settings;
    }

    /** An extension serving an API with default settings (a random account id and token). */
    public static LocalCloudflareExtension create() {
        return new LocalCloudflareExtension(UnaryOperator.identity());
    }

    /** An extension whose API is configured by {@code settings} (the runtime is set by the extension). */
    public static LocalCloudflareExtension create(UnaryOperator<LocalCloudflareApi.Builder> settings) {
        if (settings == null) {
            throw new IllegalArgumentException("settings must not be null");
        }
        return new LocalCloudflareExtension(settings);
    }

    /** The running API; only between the class's before-all and after-all phases. */
    public LocalCloudflareApi api() {
        if (api == null) {
            throw new IllegalStateException("the local Cloudflare API runs only while the test class runs");
        }
        return api;
    }

    /** The runtime the API's Workers run on. */
    public LocalWorkersRuntime runtime() {
        api();
        return runtime;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (api != null) {
            return;
        }
        Path binary = workerdOrSkip();
        runtime = LocalWorkersRuntime.builder().workerdBinary(binary).build();
        try {
            api = settings.apply(LocalCloudflareApi.builder()).runtime(runtime).build();
            owner = context.getUniqueId();
        } catch (RuntimeException e) {
            runtime.close();
            runtime = null;
            throw e;
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (!context.getUniqueId().equals(owner)) {
            return;
        }
        owner = null;
        if (api != null) {
            api.close();
            api = null;
        }
        if (runtime != null) {
            runtime.close();
            runtime = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalCloudflareApi.class || type == LocalWorkersRuntime.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCloudflareApi.class ? api() : runtime();
    }

    private static Path workerdOrSkip() {
        synchronized (INSTALL_LOCK) {
            Optional<Path> found = LocalWorkersRuntime.findWorkerd();
            if (found.isPresent()) {
                return found.get();
            }
            Path prefix = Path.of(System.getProperty("faasx.workerd.installDir", "target/workerd"));
            try {
                return LocalWorkersRuntime.installWorkerd(prefix);
            } catch (IOException e) {
                throw new TestAbortedException("workerd is not available and could not be installed with npm into "
                        + prefix + ": " + e.getMessage());
            }
        }
    }
}
