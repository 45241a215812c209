package dev.faasx.digitalocean.local;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts a {@link LocalDigitalOcean} before a test class's first test and stops it after
 * its last, and hands it to test and lifecycle methods that declare a {@code LocalDigitalOcean} parameter.
 *
 * <pre>{@code
 * class MyFunctionTest {
 *     @RegisterExtension
 *     static final LocalDigitalOceanExtension DO = new LocalDigitalOceanExtension();
 *
 *     @Test
 *     void runs(LocalDigitalOcean local) {
 *         try (var executor = DigitalOceanFunctionsExecutor.builder()
 *                 .apiBaseUrl(local.baseUrl()).token(local.token()).build()) {
 *             ...
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Also usable as {@code @ExtendWith(LocalDigitalOceanExtension.class)} with the default settings.
 */
public final class LocalDigitalOceanExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final Consumer<LocalDigitalOcean.Builder> customizer;
    private LocalDigitalOcean local;

    /** An extension with DigitalOcean's limits. */
    public LocalDigitalOceanExtension() {
        this(b -> { });
    }

    /** An extension whose emulator is configured by {@code customizer}, for example a short blocking cutoff. */
    public LocalDigitalOceanExtension(Consumer<LocalDigitalOcean.Builder> customizer) {
        this.customizer = customizer;
    }

    /** The running emulator; only between the class's first and last test. */
    public LocalDigitalOcean local() {
        if (local == null) {
            throw new IllegalStateException("the emulator runs only while the test class runs");
        }
        return local;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (local == null) {
            LocalDigitalOcean.Builder b = LocalDigitalOcean.builder();
            customizer.accept(b);
            local = b.build();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        // Nested classes also call afterAll; only the class that registered the extension stops the emulator.
        if (local != null && context.getParent().flatMap(ExtensionContext::getTestClass).isEmpty()) {
            local.close();
            local = null;
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalDigitalOcean.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return local();
    }
}
