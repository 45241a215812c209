package dev.faasx.testkit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the class files of a class and of every class nested in it (member, local and anonymous classes, which
 * javac writes as {@code Outer$...class} beside {@code Outer.class}).
 */
public final class ClassFiles {
    private static final String CLASS = ".class";

    private ClassFiles() {
    }

    /** The JAR entry name of a class's file, for example {@code a/b/Outer$Inner.class}. */
    public static String entryName(Class<?> type) {
        return type.getName().replace('.', '/') + CLASS;
    }

    /**
     * The entry names of {@code type}'s class file and of the class files nested in it, sorted.
     *
     * @throws IllegalArgumentException when {@code type} has no class file of its own (arrays, primitives,
     *                                  hidden classes such as lambdas)
     */
    public static Set<String> entryNames(Class<?> type) {
        if (type.isArray() || type.isPrimitive() || type.isHidden()) {
            throw new IllegalArgumentException(type + " has no class file of its own");
        }
        Set<String> names = new TreeSet<>();
        names.add(entryName(type));
        String prefix = entryName(type).substring(0, entryName(type).length() - CLASS.length()) + "$";
        Set<String> listed = listFromCodeSource(type, prefix);
        if (listed != null) {
            names.addAll(listed);
        } else {
            names.addAll(memberClassEntries(type));
        }
        return names;
    }

    /** The bytes of class file {@code entryName}, read through {@code type}'s class loader. */
    public static byte[] read(Class<?> type, String entryName) {
        ClassLoader loader = type.getClassLoader() != null ? type.getClassLoader()
                : ClassLoader.getSystemClassLoader();
        try (InputStream in = loader.getResourceAsStream(entryName)) {
            if (in == null) {
                throw new IllegalArgumentException("the class file " + entryName + " of " + type.getName()
                        + " cannot be read through its class loader");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class file " + entryName, e);
        }
    }

    // Lists the directory or JAR the class came from; null when that location cannot be listed.
    private static Set<String> listFromCodeSource(Class<?> type, String prefix) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location == null || !"file".equals(location.getProtocol())) {
            return null;
        }
        try {
            Path root = Path.of(location.toURI());
            if (Files.isDirectory(root)) {
                return listDirectory(root, prefix);
            }
            if (Files.isRegularFile(root)) {
                return listJar(root, prefix);
            }
            return null;
        } catch (URISyntaxException | IllegalArgumentException | IOException e) {
            return null;
        }
    }

    private static Set<String> listDirectory(Path root, String prefix) throws IOException {
        int slash = prefix.lastIndexOf('/');
        Path dir = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        String filePrefix = prefix.substring(slash + 1);
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(f -> f.getFileName().toString())
                    .filter(n -> n.startsWith(filePrefix) && n.endsWith(CLASS))
                    .forEach(n -> out.add(prefix.substring(0, slash + 1) + n));
        }
        return out;
    }

    private static Set<String> listJar(Path jar, String prefix) throws IOException {
        Set<String> out = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith(prefix) && n.endsWith(CLASS) && n.indexOf('/', prefix.length()) < 0)
                    .forEach(out::add);
        }
        return out;
    }

    // Reflection sees member classes only; used when the code source cannot be listed.
    private static Set<String> memberClassEntries(Class<?> type) {
        Set<String> out = new TreeSet<>();
        Deque<Class<?>> pending = new ArrayDeque<>(List.of(type.getDeclaredClasses()));
        while (!pending.isEmpty()) {
            Class<?> nested = pending.pop();
            out.add(entryName(nested));
            pending.addAll(List.of(nested.getDeclaredClasses()));
        }
        return out;
    }
}
