package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShadedJarTest {
    @TempDir
    Path tmp;

    private static List<String> names(byte[] jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        return names;
    }

    @Test
    void holdsTheHandlerAndItsLibrariesSoTheJarRunsOnItsOwn() throws Exception {
        FunctionPackage.Jar jar = ShadedJar.of(JobHandler.class, com.fasterxml.jackson.core.JsonFactory.class,
                com.fasterxml.jackson.databind.ObjectMapper.class,
                com.fasterxml.jackson.annotation.JsonProperty.class, org.slf4j.Logger.class)
                .handler(CompatibilityFunction.class);
        List<String> names = names(jar.jar());
        assertThat(jar.handlerClass()).isEqualTo(CompatibilityFunction.class.getName());
        assertThat(names).contains("dev/faasx/testkit/CompatibilityFunction.class", "dev/faasx/core/JobHandler.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class").doesNotHaveDuplicates();
        assertThat(names).noneMatch(n -> n.endsWith("module-info.class") || n.startsWith("META-INF/versions/")
                || n.matches("META-INF/[^/]+\\.(SF|RSA|DSA)"));
        // Loaded with nothing but the JDK beside it, the handler and the faasx API it implements resolve.
        Path file = tmp.resolve("function.jar");
        Files.write(file, jar.jar());
        try (URLClassLoader loader = new URLClassLoader(new URL[] {file.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> handler = Class.forName(CompatibilityFunction.class.getName(), true, loader);
            assertThat(handler.getClassLoader()).isSameAs(loader);
            assertThat(handler.getInterfaces()).extracting(Class::getName).contains(JobHandler.class.getName());
            handler.getConstructor().newInstance();
        }
    }

    @Test
    void onlyPackagesKeepsTheLibrariesToThosePrefixes() throws IOException {
        byte[] jar = ShadedJar.of(JobHandler.class, org.slf4j.Logger.class).onlyPackages("org/slf4j/")
                .jarBytes(CompatibilityFunction.class);
        List<String> names = names(jar);
        assertThat(names).contains("org/slf4j/Logger.class", "dev/faasx/testkit/CompatibilityFunction.class");
        assertThat(names).noneMatch(n -> n.startsWith("dev/faasx/core/"));
    }
}
