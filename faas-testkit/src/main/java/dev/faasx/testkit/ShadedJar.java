package dev.faasx.testkit;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Builds, from the current class path, the self-contained JAR a user's shade build would make for a platform whose
 * Java runtime runs a JAR as it is (Google's Functions Framework, an Azure custom handler): the classes of a handler
 * (as {@link HandlerJar} collects them) plus every class and resource of the libraries it needs, each taken from
 * the code source (a directory or a JAR) of one class named for it. Signatures, {@code module-info} classes,
 * multi-release variants and the libraries' manifests are left out; of two entries with one name the first is kept.
 *
 * <pre>{@code
 * ShadedJar shaded = ShadedJar.of(JobHandler.class, JobHttpFunction.class, ObjectMapper.class);
 * FunctionPackage.Jar jar = shaded.handler(MyJob.class);
 * }</pre>
 *
 * <p>Thread-safe; the libraries are read once per instance.
 */
public final class ShadedJar {
    private final List<Class<?>> libraries;
    private final List<String> packages;
    private Map<String, byte[]> libraryEntries;

    private ShadedJar(List<Class<?>> libraries, List<String> packages) {
        this.libraries = List.copyOf(libraries);
        this.packages = List.copyOf(packages);
    }

    /** A shaded JAR builder with the libraries of which {@code libraryClasses} are part. */
    public static ShadedJar of(Class<?>... libraryClasses) {
        return new ShadedJar(List.of(libraryClasses), List.of());
    }

    /**
     * The same, taking from the libraries only entries under these path prefixes (such as {@code "org/slf4j/"}): for
     * a class path where several libraries share one code source (a shaded benchmarks JAR).
     */
    public ShadedJar onlyPackages(String... prefixes) {
        return new ShadedJar(libraries, List.of(prefixes));
    }

    /** A JAR package whose handler is {@code handler} (with its nest, and {@code moreClasses} with theirs). */
    public FunctionPackage.Jar handler(Class<? extends JobHandler> handler, Class<?>... moreClasses) {
        Class<?>[] classes = new Class<?>[moreClasses.length + 1];
        classes[0] = outermost(Objects.requireNonNull(handler, "handler"));
        System.arraycopy(moreClasses, 0, classes, 1, moreClasses.length);
        return FunctionPackage.jar(jarBytes(classes), handler.getName());
    }

    /** The bytes of a JAR with the libraries and the class files of {@code classes} and their nests. */
    public byte[] jarBytes(Class<?>... classes) {
        Map<String, byte[]> entries = new TreeMap<>(libraries());
        if (classes.length > 0) {
            unpack(HandlerJar.jarBytes(classes), entries, false);
        }
        return HandlerJar.write(entries);
    }

    private static Class<?> outermost(Class<?> type) {
        Class<?> outer = type;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        return outer;
    }

    private synchronized Map<String, byte[]> libraries() {
        if (libraryEntries == null) {
            Map<String, byte[]> entries = new TreeMap<>();
            for (Class<?> type : libraries) {
                try {
                    Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
                    if (Files.isDirectory(location)) {
                        try (Stream<Path> walk = Files.walk(location)) {
                            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                                put(entries, location.relativize(file).toString().replace('\\', '/'),
                                        Files.readAllBytes(file), true);
                            }
                        }
                    } else {
                        unpack(Files.readAllBytes(location), entries, true);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the library of " + type.getName(), e);
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("the library of " + type.getName() + " has no file location", e);
                }
            }
            libraryEntries = Map.copyOf(entries);
        }
        return libraryEntries;
    }

    private void unpack(byte[] jar, Map<String, byte[]> entries, boolean library) {
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            ZipEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (!entry.isDirectory()) {
                    put(entries, entry.getName(), in.readAllBytes(), library);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void put(Map<String, byte[]> entries, String name, byte[] content, boolean library) {
        String upper = name.toUpperCase(Locale.ROOT);
        if (name.endsWith("module-info.class") || upper.equals("META-INF/MANIFEST.MF") || upper.endsWith(".SF")
                || upper.endsWith(".RSA") || upper.endsWith(".DSA") || name.startsWith("META-INF/versions/")) {
            return;
        }
        if (library && !packages.isEmpty() && packages.stream().noneMatch(name::startsWith)) {
            return;
        }
        entries.putIfAbsent(name, content);
    }
}
