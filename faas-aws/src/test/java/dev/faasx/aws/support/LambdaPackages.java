package dev.faasx.aws.support;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.aws.function.LambdaRuntimeLoop;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.testkit.CompatibilityFunction;
import dev.faasx.testkit.HandlerJar;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds real Lambda deployment packages from the test classpath, the way a user's build would: the handler's
 * classes at the root and every library the function needs (faasx core, the Lambda adapters, Jackson, the Lambda
 * runtime interfaces, SLF4J) as JARs under {@code lib/}, which Lambda's Java runtimes put on the classpath.
 * Thread-safe.
 */
public final class LambdaPackages {
    private static final Class<?>[] LIBRARIES = {JobHandler.class, LambdaRuntimeLoop.class, CompatibilityFunction.class,
        JsonFactory.class, ObjectMapper.class, JsonProperty.class, RequestStreamHandler.class, org.slf4j.Logger.class,
        org.slf4j.simple.SimpleLogger.class};

    private Map<String, byte[]> libraries;

    /** Packages built from this test run's classpath; the library JARs are collected once per instance. */
    public LambdaPackages() {
    }

    /** A JAR for a managed Java runtime whose {@code JobHandler} is {@code handler} (plus its nested classes). */
    public FunctionPackage.Jar jar(Class<? extends JobHandler> handler) {
        return FunctionPackage.jar(zip(Map.of(), handler), handler.getName());
    }

    /** Like {@link #jar(Class)}, with {@code files} added (for example padding that makes it large). */
    public FunctionPackage.Jar jar(Class<? extends JobHandler> handler, Map<String, byte[]> files) {
        return FunctionPackage.jar(zip(files, handler), handler.getName());
    }

    /** A {@code provided.al2023} zip whose {@code bootstrap} runs {@code handler} through {@link LambdaRuntimeLoop}. */
    public FunctionPackage.NativeZip bootstrap(Class<? extends JobHandler> handler) {
        String script = "#!/bin/sh\n"
                + "exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:-UsePerfData"
                + " -cp \"$LAMBDA_TASK_ROOT/app.jar:$LAMBDA_TASK_ROOT/lib/*\" "
                + LambdaRuntimeLoop.class.getName() + " '" + handler.getName() + "'\n";
        var builder = FunctionPackage.bootstrapZip().bootstrapScript(script)
                .file("app.jar", handlerJar(handler));
        libraries().forEach((name, bytes) -> builder.file("lib/" + name, bytes));
        return builder.build();
    }

    /** A zip of {@code files} plus the handler classes at the root and the libraries under {@code lib/}. */
    private byte[] zip(Map<String, byte[]> files, Class<?> handler) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            try (var handlerJar = new java.util.zip.ZipInputStream(
                    new java.io.ByteArrayInputStream(handlerJar(handler)))) {
                ZipEntry entry;
                while ((entry = handlerJar.getNextEntry()) != null) {
                    if (!entry.isDirectory() && entry.getName().endsWith(".class")) {
                        put(zip, entry.getName(), handlerJar.readAllBytes());
                    }
                }
            }
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                put(zip, e.getKey(), e.getValue());
            }
            for (Map.Entry<String, byte[]> e : libraries().entrySet()) {
                put(zip, "lib/" + e.getKey(), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The handler's classes, with the class it is nested in (and so its siblings), as the JVM may load that too. */
    private static byte[] handlerJar(Class<?> handler) {
        Class<?> outer = handler;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        return HandlerJar.jarBytes(outer);
    }

    /** The library JARs, built once per test run (class directories are packed into JARs). */
    private synchronized Map<String, byte[]> libraries() {
        if (libraries == null) {
            libraries = collect();
        }
        return libraries;
    }

    private static Map<String, byte[]> collect() {
        Map<String, byte[]> jars = new LinkedHashMap<>();
        for (Class<?> type : LIBRARIES) {
            Path location;
            try {
                location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            try {
                if (Files.isDirectory(location)) {
                    // target/classes of a module in this build: name it after the module.
                    String module = location.getParent().getParent().getFileName().toString();
                    jars.putIfAbsent(module + ".jar", jarOf(location));
                } else {
                    jars.putIfAbsent(location.getFileName().toString(), Files.readAllBytes(location));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return jars;
    }

    private static byte[] jarOf(Path directory) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(directory)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Path file : files) {
                put(zip, directory.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        if (content.length > 1024 * 1024) {
            // Large files (padding) are stored: deflating megabytes of random bytes only costs time.
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(content);
            entry.setMethod(ZipEntry.STORED);
            entry.setSize(content.length);
            entry.setCompressedSize(content.length);
            entry.setCrc(crc.getValue());
        }
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
