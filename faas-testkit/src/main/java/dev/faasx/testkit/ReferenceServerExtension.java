package dev.faasx.testkit;

import dev.faasx.server.ReferenceServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * A JUnit 5 extension that runs the faasx reference server embedded in the test JVM, on a free port, with a
 * temporary data directory that is deleted afterwards.
 *
 * <p>Registered on a class (with {@code @ExtendWith} or a static {@code @RegisterExtension} field), one server
 * serves every test of the class and its {@code @Nested} classes and stops after the last one. Registered on an
 * instance field, each test gets its own server. The server is handed to tests as a parameter of type
 * {@link ReferenceServer} (constructors, test and lifecycle methods), written into fields of that type that are
 * still {@code null}, and available from {@link #server()}.
 *
 * <pre>{@code
 * @ExtendWith(ReferenceServerExtension.class)
 * class MyExecutorTest {
 *     @Test
 *     void deploysAndInvokes(ReferenceServer server) {
 *         HttpFaasExecutor executor = HttpFaasExecutor.builder(server.baseUri()).build();
 *         ...
 *     }
 * }
 *
 * class SecuredTest {
 *     @RegisterExtension
 *     static final ReferenceServerExtension SERVER = ReferenceServerExtension.configured(b -> b.apiKey("k"));
 *
 *     @Test
 *     void needsTheKey() {
 *         URI base = SERVER.baseUri();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe: tests running in parallel within one class share the server.
 */
public final class ReferenceServerExtension implements BeforeAllCallback, BeforeEachCallback,
        TestInstancePostProcessor, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(ReferenceServerExtension.class);

    private final UnaryOperator<ReferenceServer.Builder> configuration;
    private volatile ReferenceServer current;

    /** The extension with a default server; the constructor {@code @ExtendWith} uses. */
    public ReferenceServerExtension() {
        this(UnaryOperator.identity());
    }

    private ReferenceServerExtension(UnaryOperator<ReferenceServer.Builder> configuration) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
    }

    /** The extension with a default server: loopback, free port, default limits, no API key. */
    public static ReferenceServerExtension create() {
        return new ReferenceServerExtension();
    }

    /**
     * The extension with a server that {@code configuration} adjusts (limits, API key, shutdown grace); the port
     * (0) and the temporary data directory are set before it runs.
     */
    public static ReferenceServerExtension configured(UnaryOperator<ReferenceServer.Builder> configuration) {
        return new ReferenceServerExtension(configuration);
    }

    /** The running server. */
    public ReferenceServer server() {
        ReferenceServer server = current;
        if (server == null) {
            throw new IllegalStateException("the reference server is not running: is the extension registered?");
        }
        return server;
    }

    /** The running server's base URI, for example {@code http://127.0.0.1:41234}. */
    public URI baseUri() {
        return server().baseUri();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IllegalAccessException {
        ReferenceServer server = serverFor(context);
        injectFields(context.getRequiredTestClass(), null, server, true);
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws IllegalAccessException {
        injectFields(testInstance.getClass(), testInstance, serverFor(context), false);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        serverFor(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == ReferenceServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return serverFor(context);
    }

    /**
     * This extension's server from {@code context} or an enclosing one, or a new one owned by {@code context} (which
     * closes it, with its directory, when it ends). Keyed by the extension instance: {@code @Nested} classes share
     * their enclosing class's registration, and two registrations never share a server.
     */
    private ReferenceServer serverFor(ExtensionContext context) {
        Started started = context.getStore(NAMESPACE).getOrComputeIfAbsent(this, key -> start(), Started.class);
        current = started.server;
        return started.server;
    }

    private Started start() {
        try {
            Path directory = Files.createTempDirectory("faasx-reference-server");
            ReferenceServer server = configuration.apply(ReferenceServer.builder()).port(0)
                    .dataDirectory(directory).build().start();
            return new Started(server, directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the reference server's data directory", e);
        }
    }

    private static void injectFields(Class<?> type, Object instance, ReferenceServer server, boolean statics)
            throws IllegalAccessException {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == ReferenceServer.class && Modifier.isStatic(field.getModifiers()) == statics
                        && !Modifier.isFinal(field.getModifiers())) {
                    field.setAccessible(true);
                    if (field.get(instance) == null) {
                        field.set(instance, server);
                    }
                }
            }
        }
    }

    /** A started server and its data directory; JUnit closes it when the owning context ends. */
    private static final class Started implements AutoCloseable {
        private final ReferenceServer server;
        private final Path directory;

        Started(ReferenceServer server, Path directory) {
            this.server = server;
            this.directory = directory;
        }

        @Override
        public void close() {
            server.close();
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // A temporary directory left behind is harmless.
            }
        }
    }
}
