package dev.faasx.gcp.local;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link LocalCloudFunctions} before the tests of a class and stops it after them.
 * Register it on a static field, and use it directly or have it injected as a test or lifecycle method parameter:
 *
 * <pre>{@code
 * class ResizeOnGcpTest {
 *     @RegisterExtension
 *     static final LocalCloudFunctionsExtension GCF = LocalCloudFunctionsExtension.create();
 *
 *     @Test
 *     void resizes(LocalCloudFunctions gcf) {
 *         FunctionServiceClient client = ...gcf.inProcessChannel()...;
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe once started; one emulator serves every test of the class.
 */
public final class LocalCloudFunctionsExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final Consumer<LocalCloudFunctions.Builder> settings;
    private volatile LocalCloudFunctions emulator;

    private LocalCloudFunctionsExtension(Consumer<LocalCloudFunctions.Builder> settings) {
        this.settings = settings;
    }

    /** An extension that starts an emulator with default settings. */
    public static LocalCloudFunctionsExtension create() {
        return new LocalCloudFunctionsExtension(b -> { });
    }

    /** An extension that starts an emulator with {@code settings} applied to its builder. */
    public static LocalCloudFunctionsExtension configured(Consumer<LocalCloudFunctions.Builder> settings) {
        return new LocalCloudFunctionsExtension(Objects.requireNonNull(settings, "settings"));
    }

    /** The running emulator. */
    public LocalCloudFunctions emulator() {
        LocalCloudFunctions running = emulator;
        if (running == null) {
            throw new IllegalStateException("the emulator runs only while the test class runs");
        }
        return running;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (emulator == null) {
            LocalCloudFunctions.Builder builder = LocalCloudFunctions.builder();
            settings.accept(builder);
            emulator = builder.build();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (context.getParent().map(p -> p.getParent().isEmpty()).orElse(true)) {
            LocalCloudFunctions running = emulator;
            emulator = null;
            if (running != null) {
                running.close();
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalCloudFunctions.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return emulator();
    }
}
