package dev.faasx.gcp.local.internal;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The main class of an emulated function instance: Google's invoker ({@code Invoker}, from its own JAR on this
 * process's classpath) started exactly as its {@code main} starts it, then moved onto the loopback interface. The
 * invoker has no bind-address option and listens on every interface; here its one connector is stopped, given the
 * host {@code 127.0.0.1} and started again, before the emulator is told (by the file named in the first argument)
 * that the instance is ready. Uses only the JDK and reflection: this class is the only faasx code in the process.
 *
 * <p>Arguments: the ready-file path, then the invoker's own arguments.
 */
public final class LoopbackInvokerMain {
    private LoopbackInvokerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path ready = Path.of(args[0]);
        String[] invokerArgs = Arrays.copyOfRange(args, 1, args.length);
        Class<?> invokerClass = Class.forName("com.google.cloud.functions.invoker.runner.Invoker");
        Method make = invokerClass.getDeclaredMethod("makeInvoker", String[].class);
        make.setAccessible(true);
        Optional<?> invoker = (Optional<?>) make.invoke(null, (Object) invokerArgs);
        if (invoker.isEmpty()) {
            return;
        }
        invokerClass.getMethod("startTestServer").invoke(invoker.get());
        Field serverField = invokerClass.getDeclaredField("server");
        serverField.setAccessible(true);
        Object server = serverField.get(invoker.get());
        for (Object connector : (Object[]) server.getClass().getMethod("getConnectors").invoke(server)) {
            connector.getClass().getMethod("stop").invoke(connector);
            connector.getClass().getMethod("setHost", String.class).invoke(connector, "127.0.0.1");
            connector.getClass().getMethod("start").invoke(connector);
        }
        Files.writeString(ready, "ready\n");
        server.getClass().getMethod("join").invoke(server);
    }
}
