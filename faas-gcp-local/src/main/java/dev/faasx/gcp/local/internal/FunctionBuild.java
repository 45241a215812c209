package dev.faasx.gcp.local.internal;

import dev.faasx.core.internal.SafeZip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipException;

/**
 * The emulator's build step, in place of Google's Java buildpack: it unpacks the uploaded source zip and finds the
 * prebuilt JAR the function runs (the one JAR at the root, a fat JAR or a thin one whose manifest {@code Class-Path}
 * names its dependencies), and checks that the entry point class is there. It builds no sources: a Maven or Gradle
 * project without a JAR fails with a message that says so.
 */
public final class FunctionBuild {
    /** Java runtimes the emulator runs (on this machine's JVM). */
    public static final Set<String> RUNTIMES = Set.of("java17", "java21");
    private static final long MAX_UNZIPPED_BYTES = 512L * 1024 * 1024;
    private static final int MAX_ENTRIES = 20_000;
    private static final SafeZip.Limits LIMITS = new SafeZip.Limits(MAX_UNZIPPED_BYTES, MAX_ENTRIES, false, true);
    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)*");

    private FunctionBuild() {
    }

    /** The build's outcome: the unpacked source and the JAR to put on the invoker's classpath. */
    public record Output(Path directory, Path jar) {
    }

    /** A build that failed; the message is what the function's state and the operation's error say. */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public Failure(String message) {
            super(message);
        }
    }

    /** Unpacks {@code zip} into {@code directory} (which must not exist yet) and finds the function's JAR. */
    public static Output run(Path zip, String runtime, String entryPoint, Path directory) throws Failure {
        if (!RUNTIMES.contains(runtime)) {
            throw new Failure("runtime '" + runtime + "' is not run by the local emulator: it runs " + RUNTIMES);
        }
        if (entryPoint == null || !CLASS_NAME.matcher(entryPoint).matches()) {
            throw new Failure("entry point '" + entryPoint + "' is not a Java class name");
        }
        try {
            Files.createDirectories(directory);
            unzip(zip, directory);
            List<Path> jars = rootJars(directory);
            if (jars.isEmpty()) {
                boolean project = Files.exists(directory.resolve("pom.xml"))
                        || Files.exists(directory.resolve("build.gradle"))
                        || Files.exists(directory.resolve("build.gradle.kts"));
                throw new Failure(project
                        ? "the source is a Maven or Gradle project: the local emulator builds no sources; deploy a"
                        + " prebuilt JAR (a fat JAR, or a thin JAR whose manifest Class-Path names its dependencies)"
                        : "the source has no JAR at its root: deploy a prebuilt JAR (a fat JAR, or a thin JAR whose"
                        + " manifest Class-Path names its dependencies)");
            }
            if (jars.size() > 1) {
                throw new Failure("the source has " + jars.size() + " JARs at its root: a prebuilt function JAR"
                        + " must be the only JAR in its directory (put dependencies in a subdirectory and name them"
                        + " in its manifest Class-Path)");
            }
            Path jar = jars.get(0);
            if (!containsClass(jar, directory, entryPoint)) {
                throw new Failure("function class " + entryPoint + " was not found in " + jar.getFileName()
                        + " or the JARs its manifest names");
            }
            return new Output(directory, jar);
        } catch (IOException e) {
            throw new Failure("the source is not a readable zip file: " + e.getMessage());
        }
    }

    private static void unzip(Path zip, Path directory) throws IOException, Failure {
        try {
            if (SafeZip.extract(zip, directory, LIMITS).files() == 0) {
                throw new Failure("the source is not a readable zip file: it holds no files");
            }
        } catch (SafeZip.UnsafeZipException e) {
            throw new Failure(e.tooLarge() ? "the source unpacks to more than " + MAX_UNZIPPED_BYTES + " bytes"
                    : e.getMessage());
        }
    }

    private static List<Path> rootJars(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".jar"))
                    .sorted().toList();
        }
    }

    private static boolean containsClass(Path jar, Path directory, String className) throws IOException {
        String entry = className.replace('.', '/') + ".class";
        List<Path> candidates = new ArrayList<>();
        candidates.add(jar);
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getEntry(entry) != null) {
                return true;
            }
            Manifest manifest = file.getManifest();
            String classPath = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath != null) {
                for (String part : classPath.trim().split("\\s+")) {
                    Path dependency = jar.getParent().resolve(part).normalize();
                    if (dependency.startsWith(directory) && Files.isRegularFile(dependency)) {
                        candidates.add(dependency);
                    }
                }
            }
        } catch (ZipException e) {
            throw new IOException(jar.getFileName() + " is not a JAR: " + e.getMessage(), e);
        }
        for (Path dependency : candidates.subList(1, candidates.size())) {
            try (JarFile file = new JarFile(dependency.toFile())) {
                if (file.getEntry(entry) != null) {
                    return true;
                }
            } catch (ZipException e) {
                throw new IOException(dependency.getFileName() + " is not a JAR: " + e.getMessage(), e);
            }
        }
        return false;
    }
}
