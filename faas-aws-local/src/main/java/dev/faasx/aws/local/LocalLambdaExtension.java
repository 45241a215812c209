package dev.faasx.aws.local;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts one {@link LocalLambda} before the tests of a class and stops it after them.
 * Register it as a static field to configure it; test methods and constructors can take the emulator as a parameter.
 *
 * <pre>{@code
 * class MyFunctionTest {
 *     @RegisterExtension
 *     static final LocalLambdaExtension LAMBDA = LocalLambdaExtension.create(b -> b.accountConcurrency(50));
 *
 *     @Test
 *     void invokes(LocalLambda lambda) {
 *         LambdaClient client = LambdaClient.builder().endpointOverride(lambda.endpoint())...build();
 *     }
 * }
 * }</pre>
 *
 * <p>Not shared across classes; thread-safe for the tests of its class.
 */
public final class LocalLambdaExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private final Consumer<LocalLambda.Builder> settings;
    private volatile LocalLambda lambda;

    private LocalLambdaExtension(Consumer<LocalLambda.Builder> settings) {
        this.settings = settings;
    }

    /** An extension whose emulator has Lambda's defaults. */
    public static LocalLambdaExtension create() {
        return new LocalLambdaExtension(b -> { });
    }

    /** An extension whose emulator {@code settings} configure. */
    public static LocalLambdaExtension create(Consumer<LocalLambda.Builder> settings) {
        return new LocalLambdaExtension(Objects.requireNonNull(settings, "settings"));
    }

    /** The running emulator. */
    public LocalLambda lambda() {
        LocalLambda current = lambda;
        if (current == null) {
            throw new IllegalStateException("the local Lambda runs only while the test class runs");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LocalLambda.Builder builder = LocalLambda.builder();
        settings.accept(builder);
        lambda = builder.build();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LocalLambda current = lambda;
        lambda = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalLambda.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return lambda();
    }
}
