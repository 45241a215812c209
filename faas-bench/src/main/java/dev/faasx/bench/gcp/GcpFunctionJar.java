package dev.faasx.bench.gcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.JobHandler;
import dev.faasx.gcp.function.JobHttpFunction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A fat JAR of {@link EchoJob} with faasx core, the Cloud Functions adapter, Jackson and the SLF4J API, built from
 * this classpath as a user's shade build would (only their packages: the benchmarks JAR holds every library).
 */
final class GcpFunctionJar {
    private static final Class<?>[] LIBRARIES = {JobHandler.class, JobHttpFunction.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    /** Only these packages: in the shaded benchmarks JAR every library shares one code source. */
    private static final java.util.List<String> PACKAGES = java.util.List.of("dev/faasx/core/",
            "dev/faasx/gcp/function/", "com/fasterxml/jackson/core/", "com/fasterxml/jackson/databind/",
            "com/fasterxml/jackson/annotation/", "org/slf4j/");

    private GcpFunctionJar() {
    }

    static byte[] echo() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        String handler = EchoJob.class.getName().replace('.', '/') + ".class";
        try (InputStream in = EchoJob.class.getClassLoader().getResourceAsStream(handler)) {
            entries.put(handler, in.readAllBytes());
            for (Class<?> type : LIBRARIES) {
                Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isDirectory(location)) {
                    try (Stream<Path> walk = Files.walk(location)) {
                        for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                            add(entries, location.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                        }
                    }
                } else {
                    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(location)))) {
                        ZipEntry entry;
                        while ((entry = zip.getNextEntry()) != null) {
                            if (!entry.isDirectory()) {
                                add(entries, entry.getName(), zip.readAllBytes());
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
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

    private static void add(Map<String, byte[]> entries, String name, byte[] content) {
        if (PACKAGES.stream().noneMatch(name::startsWith)) {
            return;
        }
        String upper = name.toUpperCase(Locale.ROOT);
        if (name.endsWith("module-info.class") || upper.equals("META-INF/MANIFEST.MF") || upper.endsWith(".SF")
                || upper.endsWith(".RSA") || upper.endsWith(".DSA") || name.startsWith("META-INF/versions/")) {
            return;
        }
        entries.putIfAbsent(name, content);
    }
}
