package dev.faasx.azure.function;

import dev.faasx.core.JobHandler;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The custom handler's entry point, named in the function app's {@code host.json}:
 *
 * <pre>
 * java -cp app.jar dev.faasx.azure.function.CustomHandlerMain com.example.Resize
 * java -cp faasx-azure-function.jar dev.faasx.azure.function.CustomHandlerMain --bootstrap ./bootstrap
 * </pre>
 *
 * <p>The first form runs a {@link JobHandler} class (public, with a public no-argument constructor) in this JVM; the
 * second runs a native {@code bootstrap} once per call behind the same protocol. The port comes from
 * {@value CustomHandlerServer#PORT_ENV}; {@value #THREADS_ENV} bounds the calls that run at once and
 * {@value #TIMEOUT_ENV} (whole seconds) bounds one run of a bootstrap. Whatever the handler prints goes to the
 * function's log. Exits with status 2 on wrong arguments and 1 when the handler cannot be created or the port
 * cannot be opened.
 */
public final class CustomHandlerMain {
    /** The most calls that run at once. */
    public static final String THREADS_ENV = "FAASX_HANDLER_THREADS";
    /** The longest one run of a bootstrap may take, in whole seconds. */
    public static final String TIMEOUT_ENV = "FAASX_TIMEOUT_SECONDS";

    private CustomHandlerMain() {
    }

    public static void main(String[] args) {
        PrintStream log = System.err;
        CustomHandlerServer.Builder builder;
        try {
            builder = builder(args);
        } catch (IllegalArgumentException e) {
            log.println("faasx: " + e.getMessage());
            log.println("usage: java -cp <classpath> " + CustomHandlerMain.class.getName()
                    + " <handler-class> | --bootstrap <path>");
            System.exit(2);
            return;
        } catch (IllegalStateException e) {
            log.println("faasx: " + e.getMessage());
            System.exit(1);
            return;
        }
        String threads = System.getenv(THREADS_ENV);
        if (threads != null && threads.matches("[0-9]{1,4}") && Integer.parseInt(threads) > 0) {
            builder.threads(Integer.parseInt(threads));
        }
        try {
            CustomHandlerServer server = builder.start();
            log.println("faasx: custom handler listening on 127.0.0.1:" + server.port());
        } catch (Exception e) {
            log.println("faasx: cannot start the custom handler: " + e.getMessage());
            System.exit(1);
        }
    }

    static CustomHandlerServer.Builder builder(String[] args) {
        if (args.length == 2 && args[0].equals("--bootstrap")) {
            Path bootstrap = Path.of(args[1]);
            if (!Files.isRegularFile(bootstrap)) {
                throw new IllegalStateException("no bootstrap at " + bootstrap.toAbsolutePath());
            }
            if (!Files.isExecutable(bootstrap) && !bootstrap.toFile().setExecutable(true)) {
                throw new IllegalStateException("the bootstrap at " + bootstrap.toAbsolutePath()
                        + " is not executable");
            }
            CustomHandlerServer.Builder builder = CustomHandlerServer.forBootstrap(bootstrap);
            String timeout = System.getenv(TIMEOUT_ENV);
            if (timeout != null && timeout.matches("[0-9]{1,6}") && Long.parseLong(timeout) > 0) {
                builder.bootstrapTimeout(Duration.ofSeconds(Long.parseLong(timeout)));
            }
            return builder;
        }
        if (args.length != 1 || args[0].startsWith("-")) {
            throw new IllegalArgumentException("expected a handler class or --bootstrap <path>");
        }
        return CustomHandlerServer.forHandler(instantiate(args[0]));
    }

    private static JobHandler instantiate(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, CustomHandlerMain.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("handler class " + className + " cannot be loaded: " + e);
        }
        if (!JobHandler.class.isAssignableFrom(type)) {
            throw new IllegalStateException("handler class " + className + " does not implement "
                    + JobHandler.class.getName());
        }
        try {
            return (JobHandler) type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException | InstantiationException e) {
            throw new IllegalStateException("handler class " + className
                    + " needs a public no-argument constructor (and must be public, and static if nested)");
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the constructor of handler class " + className + " failed: "
                    + e.getCause());
        }
    }
}
