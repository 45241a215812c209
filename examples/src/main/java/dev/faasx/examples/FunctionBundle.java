package dev.faasx.examples;

import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packages a {@link JobHandler} from this application's class path as a {@code bootstrap} zip: the jars it needs
 * go under {@code lib/}, class directories are jarred, and the {@code bootstrap} script starts
 * {@code dev.faasx.core.function.FunctionMain} with this JVM's {@code java}. That is what a team would ship to a
 * custom FaaS platform on the same kind of machine.
 */
final class FunctionBundle {
    private FunctionBundle() {
    }

    static FunctionPackage.NativeZip of(Class<? extends JobHandler> handler) {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String script = "#!/bin/sh\n"
                + "DIR=$(cd \"$(dirname \"$0\")\" && pwd)\n"
                + "exec '" + javaBin + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -cp \"$DIR/lib/*\" "
                + "dev.faasx.core.function.FunctionMain " + handler.getName() + "\n";
        FunctionPackage.BootstrapZip zip = FunctionPackage.bootstrapZip().bootstrapScript(script);
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!isNeededByFunctions(path)) {
                continue;
            }
            String name = "lib/" + (n++) + "-" + path.getFileName();
            if (Files.isDirectory(path)) {
                zip.file(name + ".jar", jarOf(path));
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                zip.file(name, read(path));
            }
        }
        return zip.build();
    }

    /**
     * The function side needs only faasx core (FunctionMain), Jackson and the SLF4J API, plus the application's
     * own classes (directories); the host's server and HTTP client libraries stay behind.
     */
    private static boolean isNeededByFunctions(Path path) {
        String name = path.getFileName().toString();
        return Files.isDirectory(path) || name.startsWith("faas-core") || name.startsWith("jackson-")
                || name.startsWith("slf4j-api");
    }

    private static byte[] read(Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private static byte[] jarOf(Path directory) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out); Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(directory.relativize(file).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(file));
                jar.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot jar " + directory, e);
        }
        return out.toByteArray();
    }
}
