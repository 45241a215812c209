package dev.faasx.aws.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * AWS's Java runtime interface client and the libraries it needs, shipped inside this module as resources (copied
 * there by the build) and written out once per emulator, so that the function's JVM sees them and nothing of the
 * emulator's own class path, as on Lambda.
 */
final class RuntimeClientJars {
    /** The JARs under {@value #RESOURCE_DIR}, in class path order. */
    static final List<String> JARS = List.of("aws-lambda-java-runtime-interface-client.jar",
            "aws-lambda-java-core.jar", "aws-lambda-java-serialization.jar", "utils-lite.jar");
    private static final String RESOURCE_DIR = "/dev/faasx/aws/local/runtime-client/";

    private final Path directory;
    private String classpath;

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
        }
        return classpath;
    }
}
