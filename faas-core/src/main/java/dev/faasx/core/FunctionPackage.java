package dev.faasx.core;

import dev.faasx.core.internal.BootstrapZipWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What gets deployed. Each platform runs some kinds ({@link FaasExecutor#supportedPackageKinds()}) and rejects the
 * others with an {@link InvalidRequestException} that names the kinds it can run.
 *
 * <pre>{@code
 * FunctionPackage echo = FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n");
 * FunctionPackage app = FunctionPackage.bootstrapZip()
 *     .bootstrapScript("#!/bin/sh\nexec java -cp \"$(dirname \"$0\")/app.jar\" dev.faasx.core.function.FunctionMain com.example.Resize\n")
 *     .file("app.jar", jarBytes)
 *     .build();
 * FunctionPackage onLambda = FunctionPackage.jar(Path.of("target/app.jar"), "com.example.Resize");
 * }</pre>
 */
public sealed interface FunctionPackage
        permits FunctionPackage.NativeZip, FunctionPackage.Jar, FunctionPackage.SourceBundle,
        FunctionPackage.WorkerModules {

    PackageKind kind();

    /** The size of what will be uploaded, in bytes. */
    long sizeBytes();

    /** An existing zip that holds an executable {@code bootstrap} at its root. */
    static NativeZip nativeZip(byte[] zip) {
        return new NativeZip(zip);
    }

    /** A zip holding {@code executable} as {@code bootstrap}, mode 0755. */
    static NativeZip bootstrapBinary(byte[] executable) {
        return bootstrapZip().bootstrap(executable).build();
    }

    /** A zip holding {@code script} (which should start with {@code #!}) as {@code bootstrap}, mode 0755. */
    static NativeZip bootstrapScript(String script) {
        return bootstrapZip().bootstrapScript(script).build();
    }

    /** A builder for a {@code bootstrap} zip with further files beside it. */
    static BootstrapZip bootstrapZip() {
        return new BootstrapZip();
    }

    /** A JAR and the handler class a managed Java runtime should call. */
    static Jar jar(byte[] jar, String handlerClass) {
        return new Jar(jar, handlerClass);
    }

    /** A JAR read from {@code path}. */
    static Jar jar(Path path, String handlerClass) {
        try {
            return new Jar(Files.readAllBytes(path), handlerClass);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JAR " + path, e);
        }
    }

    /** Source files (a zip) for a platform runtime such as {@code nodejs20}, with the entry point it calls. */
    static SourceBundle sourceBundle(byte[] zip, String runtime, String entryPoint) {
        return new SourceBundle(zip, runtime, entryPoint);
    }

    /** ES modules for a Workers-style runtime; {@code mainModule} must be one of {@code modules}. */
    static WorkerModules workerModules(String mainModule, List<WorkerModule> modules) {
        return new WorkerModules(mainModule, modules);
    }

    /** A zip with an executable {@code bootstrap} at its root. The bytes are copied in and out. */
    record NativeZip(byte[] zip) implements FunctionPackage {
        public NativeZip {
            zip = Objects.requireNonNull(zip, "zip").clone();
            if (zip.length == 0) {
                throw new IllegalArgumentException("zip must not be empty");
            }
        }

        @Override
        public byte[] zip() {
            return zip.clone();
        }

        @Override
        public PackageKind kind() {
            return PackageKind.NATIVE_BOOTSTRAP;
        }

        @Override
        public long sizeBytes() {
            return zip.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof NativeZip n && Arrays.equals(zip, n.zip);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(zip);
        }

        @Override
        public String toString() {
            return "NativeZip[" + zip.length + " bytes]";
        }
    }

    /** A JAR with the fully qualified name of its handler class. */
    record Jar(byte[] jar, String handlerClass) implements FunctionPackage {
        public Jar {
            jar = Objects.requireNonNull(jar, "jar").clone();
            Objects.requireNonNull(handlerClass, "handlerClass");
            if (jar.length == 0) {
                throw new IllegalArgumentException("jar must not be empty");
            }
            if (!handlerClass.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.$]*(::\\w+)?")) {
                throw new IllegalArgumentException("handlerClass is not a Java class name: " + handlerClass);
            }
        }

        @Override
        public byte[] jar() {
            return jar.clone();
        }

        @Override
        public PackageKind kind() {
            return PackageKind.JAR;
        }

        @Override
        public long sizeBytes() {
            return jar.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Jar j && Arrays.equals(jar, j.jar) && handlerClass.equals(j.handlerClass);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(jar), handlerClass);
        }

        @Override
        public String toString() {
            return "Jar[" + jar.length + " bytes, handler=" + handlerClass + "]";
        }
    }

    /** A zip of source files for a named platform runtime. */
    record SourceBundle(byte[] zip, String runtime, String entryPoint) implements FunctionPackage {
        public SourceBundle {
            zip = Objects.requireNonNull(zip, "zip").clone();
            Objects.requireNonNull(runtime, "runtime");
            Objects.requireNonNull(entryPoint, "entryPoint");
        }

        @Override
        public byte[] zip() {
            return zip.clone();
        }

        @Override
        public PackageKind kind() {
            return PackageKind.SOURCE_BUNDLE;
        }

        @Override
        public long sizeBytes() {
            return zip.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SourceBundle s && Arrays.equals(zip, s.zip) && runtime.equals(s.runtime)
                    && entryPoint.equals(s.entryPoint);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(zip), runtime, entryPoint);
        }

        @Override
        public String toString() {
            return "SourceBundle[" + zip.length + " bytes, runtime=" + runtime + ", entryPoint=" + entryPoint + "]";
        }
    }

    /** JavaScript and WebAssembly modules, one of which is the main module. */
    record WorkerModules(String mainModule, List<WorkerModule> modules) implements FunctionPackage {
        public WorkerModules {
            Objects.requireNonNull(mainModule, "mainModule");
            modules = List.copyOf(modules);
            if (modules.stream().noneMatch(m -> m.name().equals(mainModule))) {
                throw new IllegalArgumentException("main module " + mainModule + " is not among the modules "
                        + modules.stream().map(WorkerModule::name).toList());
            }
            if (modules.stream().map(WorkerModule::name).distinct().count() != modules.size()) {
                throw new IllegalArgumentException("module names must be unique");
            }
        }

        @Override
        public PackageKind kind() {
            return PackageKind.WORKER_MODULES;
        }

        @Override
        public long sizeBytes() {
            return modules.stream().mapToLong(m -> m.content().length).sum();
        }
    }

    /**
     * Builds a {@link NativeZip}: an executable {@code bootstrap} (mode 0755) and any files beside it. Not
     * thread-safe.
     */
    final class BootstrapZip {
        private byte[] bootstrap;
        private final java.util.LinkedHashMap<String, BootstrapZipWriter.Entry> files =
                new java.util.LinkedHashMap<>();

        BootstrapZip() {
        }

        /** The executable; it becomes {@code bootstrap} with mode 0755. */
        public BootstrapZip bootstrap(byte[] executable) {
            this.bootstrap = Objects.requireNonNull(executable, "executable").clone();
            return this;
        }

        /** A script as the executable; it should start with a {@code #!} line. */
        public BootstrapZip bootstrapScript(String script) {
            return bootstrap(script.getBytes(StandardCharsets.UTF_8));
        }

        /** A further file, mode 0644, at a relative path. */
        public BootstrapZip file(String path, byte[] content) {
            return put(path, content, false);
        }

        /** A further executable file, mode 0755, at a relative path. */
        public BootstrapZip executable(String path, byte[] content) {
            return put(path, content, true);
        }

        private BootstrapZip put(String path, byte[] content, boolean executable) {
            BootstrapZipWriter.checkPath(path);
            if (path.equals("bootstrap")) {
                throw new IllegalArgumentException("use bootstrap(...) for the bootstrap file");
            }
            files.put(path, new BootstrapZipWriter.Entry(path, content.clone(), executable));
            return this;
        }

        public NativeZip build() {
            if (bootstrap == null) {
                throw new IllegalStateException("a bootstrap zip needs a bootstrap: call bootstrap(...) first");
            }
            return new NativeZip(BootstrapZipWriter.write(bootstrap, files.values()));
        }
    }
}
