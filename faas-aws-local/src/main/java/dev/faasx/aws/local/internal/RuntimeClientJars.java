package dev.faasx.aws.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * AWS's Java runtime interface client and the libraries it needs, shipped inside this module as resources (copied
 * there by the build) and written out once per emulator, so that the function's JVM sees them and nothing of the
 * emulator's own class path, as on Lambda. The client's native library is unpacked here too: by default the client
 * unpacks it to a fixed path in {@code /tmp}, which is private to each environment on Lambda but shared by all of
 * them here, and environments starting at once would overwrite it while others load it.
 */
final class RuntimeClientJars {
    /** The JARs under {@value #RESOURCE_DIR}, in class path order. */
    static final List<String> JARS = List.of("aws-lambda-java-runtime-interface-client.jar",
            "aws-lambda-java-core.jar", "aws-lambda-java-serialization.jar", "utils-lite.jar");
    private static final String RESOURCE_DIR = "/dev/faasx/aws/local/runtime-client/";

    /** The system property that tells the client where its native library is. */
    static final String NATIVE_LIBRARY_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    private final Path directory;
    private String classpath;
    private Path nativeLibrary;

    RuntimeClientJars(Path directory) {
        this.directory = directory;
    }

    /** The class path of the runtime client, writing its JARs on first use. */
    synchronized String classpath() {
        if (classpath == null) {
            List<String> paths = new ArrayList<>();
            try {
                Files.createDirectories(directory);
                for (String jar : JARS) {
                    Path target = directory.resolve(jar);
                    try (InputStream in = RuntimeClientJars.class.getResourceAsStream(RESOURCE_DIR + jar)) {
                        if (in == null) {
                            throw new IllegalStateException("the runtime interface client JAR " + jar + " is"
                                    + " missing from faas-aws-local; the module was not built with its resources");
                        }
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    paths.add(target.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            classpath = String.join(":", paths);
            nativeLibrary = unpackNativeLibrary(directory.resolve(JARS.get(0)));
        }
        return classpath;
    }

    /** The JVM option that points the client at its unpacked native library. */
    synchronized String nativeLibraryOption() {
        classpath();
        return "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary;
    }

    private Path unpackNativeLibrary(Path clientJar) {
        String name = "jni/libaws-lambda-jni." + platform() + ".so";
        Path target = directory.resolve("libaws-lambda-jni.so");
        try (ZipFile jar = new ZipFile(clientJar.toFile())) {
            ZipEntry entry = jar.getEntry(name);
            if (entry == null) {
                throw new IllegalStateException("the runtime interface client has no native library for this"
                        + " machine (" + name + ")");
            }
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    /** The client's name for this machine: {@code linux-x86_64}, {@code linux_musl-aarch_64}, .... */
    private static String platform() {
        String arch = System.getProperty("os.arch", "");
        String cpu = arch.equals("aarch64") || arch.equals("arm64") ? "aarch_64" : "x86_64";
        boolean musl = Files.exists(Path.of("/lib/ld-musl-x86_64.so.1"))
                || Files.exists(Path.of("/lib/ld-musl-aarch64.so.1"));
        return (musl ? "linux_musl-" : "linux-") + cpu;
    }
}
