package dev.faasx.gcp.local.internal;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds Google's invoker JAR: the {@code FAASX_GCP_INVOKER_JAR} environment variable, then beside the emulator's own
 * JAR (or its {@code target/classes}), then the local Maven repository where the build put it.
 */
public final class InvokerLocator {
    public static final String ENV = "FAASX_GCP_INVOKER_JAR";
    public static final String FILE = "java-function-invoker-2.0.0.jar";

    private InvokerLocator() {
    }

    public static Path locate() {
        List<Path> tried = new ArrayList<>();
        String fromEnv = System.getenv(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        ownLocation().ifPresent(own -> tried.add(own.getParent().resolve(FILE)));
        String repo = System.getProperty("maven.repo.local");
        Path m2 = repo != null ? Path.of(repo) : Path.of(System.getProperty("user.home"), ".m2", "repository");
        tried.add(m2.resolve("com/google/cloud/functions/invoker/java-function-invoker/2.0.0").resolve(FILE));
        for (Path candidate : tried) {
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Google's Functions Framework invoker (" + FILE + ") was not found; looked at "
                + tried + ". Build faas-gcp-local (it copies the JAR to its target/), or set " + ENV);
    }

    /** Writes a JAR holding only {@link LoopbackInvokerMain} into {@code directory}, and answers its path. */
    public static Path writeLauncher(Path directory) throws java.io.IOException {
        String entry = LoopbackInvokerMain.class.getName().replace('.', '/') + ".class";
        Path jar = directory.resolve("faasx-invoker-launcher.jar");
        try (java.io.InputStream in = LoopbackInvokerMain.class.getClassLoader().getResourceAsStream(entry);
             java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            if (in == null) {
                throw new java.io.IOException("cannot read " + entry);
            }
            out.putNextEntry(new java.util.jar.JarEntry(entry));
            out.write(in.readAllBytes());
            out.closeEntry();
        }
        return jar;
    }

    private static Optional<Path> ownLocation() {
        try {
            return Optional.of(Path.of(InvokerLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (URISyntaxException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
