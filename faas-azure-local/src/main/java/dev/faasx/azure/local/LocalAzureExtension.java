package dev.faasx.azure.local;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a {@link LocalAzure} before the tests of a class and stops it after them; test methods and constructors
 * receive it as a parameter.
 *
 * <pre>{@code
 * @ExtendWith(LocalAzureExtension.class)
 * class MyTest {
 *     @Test
 *     void deploys(LocalAzure azure) { ... azure.endpoint() ... }
 * }
 * }</pre>
 */
public final class LocalAzureExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
            LocalAzureExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        store(context).getOrComputeIfAbsent(LocalAzure.class, k -> LocalAzure.builder().build().start(),
                LocalAzure.class);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        LocalAzure azure = store(context).remove(LocalAzure.class, LocalAzure.class);
        if (azure != null) {
            azure.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == LocalAzure.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        ExtensionContext root = context;
        while (root.getParent().isPresent() && root.getTestClass().isPresent()
                && root.getParent().get().getTestClass().isPresent()) {
            root = root.getParent().get();
        }
        return store(root).getOrComputeIfAbsent(LocalAzure.class, k -> LocalAzure.builder().build().start(),
                LocalAzure.class);
    }

    private static ExtensionContext.Store store(ExtensionContext context) {
        return context.getStore(NAMESPACE);
    }
}
