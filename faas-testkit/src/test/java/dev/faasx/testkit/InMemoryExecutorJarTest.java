package dev.faasx.testkit;

import static dev.faasx.testkit.FutureAssertions.await;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.faasx.core.FaasConfig;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys a handler that exists only inside its JAR (compiled here, never on the test classpath), to show that
 * the in-memory platform really runs the JAR it is given: classes, nested classes and resources.
 */
class InMemoryExecutorJarTest {
    private static final String HANDLER = "example.jaronly.Greeter";
    private static final String SOURCE = """
            package example.jaronly;

            import static java.nio.charset.StandardCharsets.UTF_8;

            import dev.faasx.core.JobCall;
            import dev.faasx.core.JobHandler;
            import dev.faasx.core.JobOutput;
            import java.io.IOException;
            import java.io.InputStream;

            public final class Greeter implements JobHandler {
                private final String greeting;

                public Greeter() throws IOException {
                    try (InputStream in = Greeter.class.getResourceAsStream("/greeting.txt")) {
                        greeting = new String(in.readAllBytes(), UTF_8).trim();
                    }
                }

                @Override
                public JobOutput handle(JobCall call) {
                    String text = greeting + ", " + new String(call.body(), UTF_8) + " from " + new Origin().name();
                    return JobOutput.of(text.getBytes(UTF_8));
                }

                static final class Origin {
                    String name() {
                        return getClass().getClassLoader().getName();
                    }
                }
            }
            """;

    @TempDir
    Path work;

    @Test
    void runsAHandlerThatExistsOnlyInItsJar() throws Exception {
        assertThatThrownBy(() -> Class.forName(HANDLER)).isInstanceOf(ClassNotFoundException.class);
        FunctionPackage.Jar jar = FunctionPackage.jar(compileToJar(), HANDLER);
        try (InMemoryExecutor executor = InMemoryExecutor.create()) {
            await(executor.deploy(7, jar, FaasConfig.defaults()));
            byte[] answer = await(executor.invoke(JobCall.of(7, "world".getBytes(UTF_8)))).body();
            assertThat(new String(answer, UTF_8)).isEqualTo("Hello, world from faasx-job-7");
        }
    }

    private byte[] compileToJar() throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "this Java runtime has no compiler");
        Path source = work.resolve("src/example/jaronly/Greeter.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, SOURCE);
        Path classes = Files.createDirectories(work.resolve("classes"));
        Path api = Path.of(JobHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, null, diagnostics, "--release", "17", "-proc:none", "-d", classes.toString(),
                "-cp", api.toString(), source.toString());
        assertThat(status).as("javac: %s", diagnostics.toString(UTF_8)).isZero();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes); Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                add(jar, classes.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
            add(jar, "greeting.txt", "Hello\n".getBytes(UTF_8));
        }
        return bytes.toByteArray();
    }

    private static void add(JarOutputStream jar, String name, byte[] content) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(content);
        jar.closeEntry();
    }
}
