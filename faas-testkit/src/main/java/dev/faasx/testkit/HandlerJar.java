package dev.faasx.testkit;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.testkit.internal.ClassFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Packages a {@link JobHandler} class from the classpath as a real JAR, built in memory: the handler's class
 * file, the class files of every class nested in it (member, local and anonymous classes), and those of any
 * further classes named. The JAR does not contain the faasx API the handler uses; the platform that runs it
 * provides that (an in-process platform through its class loader's parent, a function process through its
 * classpath).
 *
 * <p>The JAR is reproducible: the same classes give the same bytes (entries sorted, fixed timestamps).
 * Stateless and thread-safe.
 *
 * <pre>{@code
 * FunctionPackage.Jar jar = HandlerJar.of(CompatibilityFunction.class);
 * executor.deploy(7, jar, FaasConfig.defaults()).join();
 * }</pre>
 */
public final class HandlerJar {
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);

    private HandlerJar() {
    }

    /**
     * A JAR package of {@code handler} (with its nested classes, and {@code moreClasses} with theirs) whose
     * handler class is {@code handler}.
     *
     * @throws IllegalArgumentException when a class file cannot be read from its class loader
     */
    public static FunctionPackage.Jar of(Class<? extends JobHandler> handler, Class<?>... moreClasses) {
        Objects.requireNonNull(handler, "handler");
        Class<?>[] classes = new Class<?>[moreClasses.length + 1];
        classes[0] = handler;
        System.arraycopy(moreClasses, 0, classes, 1, moreClasses.length);
        return FunctionPackage.jar(jarBytes(classes), handler.getName());
    }

    /** The bytes of a JAR holding the class files of {@code classes} and of the classes nested in them. */
    public static byte[] jarBytes(Class<?>... classes) {
        Map<String, byte[]> entries = new TreeMap<>();
        for (Class<?> type : classes) {
            for (String name : ClassFiles.entryNames(Objects.requireNonNull(type, "class"))) {
                entries.put(name, ClassFiles.read(type, name));
            }
        }
        return write(entries);
    }

    static byte[] write(Map<String, byte[]> entries) {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(new Attributes.Name("Created-By"), "faasx testkit");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            JarEntry manifestEntry = new JarEntry(JarFile.MANIFEST_NAME);
            manifestEntry.setTimeLocal(ENTRY_TIME);
            jar.putNextEntry(manifestEntry);
            manifest.write(jar);
            jar.closeEntry();
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                JarEntry entry = new JarEntry(e.getKey());
                entry.setTimeLocal(ENTRY_TIME);
                jar.putNextEntry(entry);
                jar.write(e.getValue());
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a JAR in memory", e);
        }
        return bytes.toByteArray();
    }
}
