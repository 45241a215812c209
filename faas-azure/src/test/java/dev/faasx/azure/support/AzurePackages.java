package dev.faasx.azure.support;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.azure.function.CustomHandlerMain;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.testkit.HandlerJar;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Builds the packages a user's build would: a shaded JAR of a handler with faas-azure-function and its libraries
 * (faasx core, Jackson, SLF4J API), and the adapter JAR alone for native bootstraps. Built from this test run's
 * classpath; the libraries are collected once per instance. Thread-safe.
 */
public final class AzurePackages {
    private static final Class<?>[] LIBRARIES = {CustomHandlerMain.class, JobHandler.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    private Map<String, byte[]> libraries;

    /** A shaded JAR whose {@code JobHandler} is {@code handler} (with the classes it is nested in, and more). */
    public FunctionPackage.Jar jar(Class<? extends JobHandler> handler, Class<?>... moreClasses) {
        Class<?> outer = handler;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        Map<String, byte[]> entries = new TreeMap<>(libraries());
        unpack(HandlerJar.jarBytes(outer), entries);
        if (moreClasses.length > 0) {
            unpack(HandlerJar.jarBytes(moreClasses), entries);
        }
        return FunctionPackage.jar(write(entries), handler.getName());
    }

    /** The adapter alone, shaded: what runs a native bootstrap. */
    public byte[] adapterJar() {
        return write(new TreeMap<>(libraries()));
    }

    private synchronized Map<String, byte[]> libraries() {
        if (libraries == null) {
            Map<String, byte[]> entries = new TreeMap<>();
            for (Class<?> type : LIBRARIES) {
                try {
                    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                    if (Files.isDirectory(location)) {
                        try (Stream<Path> walk = Files.walk(location)) {
                            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                                String name = location.relativize(file).toString().replace('\\', '/');
                                if (keep(name)) {
                                    entries.putIfAbsent(name, Files.readAllBytes(file));
                                }
                            }
                        }
                    } else {
                        unpack(Files.readAllBytes(location), entries);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (URISyntaxException e) {
                    throw new IllegalStateException(e);
                }
            }
            libraries = entries;
        }
        return libraries;
    }

    private static void unpack(byte[] jar, Map<String, byte[]> entries) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (!entry.isDirectory() && keep(entry.getName())) {
                    entries.putIfAbsent(entry.getName(), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean keep(String name) {
        return !name.equals("META-INF/MANIFEST.MF") && !name.endsWith("module-info.class")
                && !name.matches("META-INF/[^/]+\\.(SF|DSA|RSA)");
    }

    private static byte[] write(Map<String, byte[]> entries) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
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
}
