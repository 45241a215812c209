package dev.faasx.server;

import dev.faasx.core.FunctionPackage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Function packages for tests: shell scripts, a Java handler through FunctionMain, and a C echo built with gcc. */
public final class Bootstraps {
    /** A spec v1 echo: the request with {@code args} renamed {@code result} (metadata and call id kept). */
    public static final String V1_ECHO = """
            #!/bin/sh
            exec sed -e 's/"args"/"result"/' -e 's/"args_base64"/"result_base64"/' -e 's/}$/,"success":true}/'
            """;

    /** A persistent worker in shell: the ready line, then one echo per request line, tagged with its pid. */
    public static final String PERSISTENT_ECHO = """
            #!/bin/sh
            echo '{"faasx_worker":"ready","protocol":1}'
            while IFS= read -r line; do
              printf '%s\\n' "$line" | sed -e 's/"args"/"result"/' -e "s/}\\$/,\\"success\\":true,\\"metadata\\":{\\"pid\\":\\"$$\\"}}/"
            done
            """;

    private Bootstraps() {
    }

    /** A zip holding {@code script} as its bootstrap. */
    public static byte[] script(String script) {
        return FunctionPackage.bootstrapScript(script).zip();
    }

    /** A bootstrap that runs {@code handlerClass} (a JobHandler on this test's class path) through FunctionMain. */
    public static byte[] javaHandler(Class<?> handlerClass) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return script("#!/bin/sh\nexec '" + java + "' -Xshare:auto -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
                + "' dev.faasx.core.function.FunctionMain "
                + handlerClass.getName() + "\n");
    }

    /**
     * The C echo ({@code native/echo.c}: v1 and persistent mode) compiled with {@code gcc -O2} (static when the
     * static C library is installed), or empty when gcc is missing.
     */
    public static Optional<byte[]> nativeEcho(Path workDirectory) throws IOException, InterruptedException {
        Path source = workDirectory.resolve("echo.c");
        try (InputStream in = Bootstraps.class.getResourceAsStream("/native/echo.c")) {
            Files.write(source, in.readAllBytes());
        }
        Path binary = workDirectory.resolve("echo");
        for (List<String> flags : List.of(List.of("-static"), List.<String>of())) {
            List<String> command = new java.util.ArrayList<>(List.of("gcc", "-O2"));
            command.addAll(flags);
            command.addAll(List.of("-o", binary.toString(), source.toString()));
            try {
                Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
                gcc.getInputStream().readAllBytes();
                if (gcc.waitFor(120, TimeUnit.SECONDS) && gcc.exitValue() == 0) {
                    return Optional.of(Files.readAllBytes(binary));
                }
            } catch (IOException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    public static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
