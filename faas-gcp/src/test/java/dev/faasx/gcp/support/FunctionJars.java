package dev.faasx.gcp.support;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.gcp.function.JobHttpFunction;
import dev.faasx.testkit.FunctionEnvironment;
import dev.faasx.testkit.HandlerJar;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Builds fat JARs from the test classpath, as a user's shade build would: the handler's classes plus faasx core, the
 * Cloud Functions adapter, Jackson and the SLF4J API, one JAR the Java runtime runs as it is. Thread-safe.
 */
public final class FunctionJars {
    private static final Class<?>[] LIBRARIES = {JobHandler.class, JobHttpFunction.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    private static Map<String, byte[]> libraries;

    private FunctionJars() {
    }

    /** A fat JAR package whose {@code JobHandler} is {@code handler}. */
    public static FunctionPackage.Jar jar(Class<? extends JobHandler> handler) {
        return FunctionPackage.jar(fatJarBytes(handler), handler.getName());
    }

    /** The bytes of a fat JAR with {@code handler} (and its enclosing class's nest) and the libraries. */
    public static byte[] fatJarBytes(Class<?> handler) {
        Class<?> outer = handler;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        Map<String, byte[]> entries = new LinkedHashMap<>(libraries());
        read(HandlerJar.jarBytes(outer, FunctionEnvironment.class), entries);
        return write(entries);
    }

    private static synchronized Map<String, byte[]> libraries() {
        if (libraries == null) {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            for (Class<?> type : LIBRARIES) {
                Path location;
                try {
                    location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
                try {
                    if (Files.isDirectory(location)) {
                        try (Stream<Path> walk = Files.walk(location)) {
                            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                                add(entries, location.relativize(file).toString().replace('\\', '/'),
                                        Files.readAllBytes(file));
                            }
                        }
                    } else {
                        read(Files.readAllBytes(location), entries);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            libraries = Map.copyOf(entries);
        }
        return libraries;
    }

    private static void read(byte[] jar, Map<String, byte[]> entries) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (!entry.isDirectory()) {
                    add(entries, entry.getName(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void add(Map<String, byte[]> entries, String name, byte[] content) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        if (name.endsWith("module-info.class") || upper.equals("META-INF/MANIFEST.MF") || upper.endsWith(".SF")
                || upper.endsWith(".RSA") || upper.endsWith(".DSA") || name.startsWith("META-INF/versions/")) {
            return;
        }
        entries.putIfAbsent(name, content);
    }

    private static byte[] write(Map<String, byte[]> entries) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Names of the libraries packed into every JAR, for messages. */
    public static List<String> libraryNames() {
        return Stream.of(LIBRARIES).map(Class::getName).toList();
    }
}
