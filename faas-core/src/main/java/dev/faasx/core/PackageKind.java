package dev.faasx.core;

/** The kinds of {@link FunctionPackage}. */
public enum PackageKind {
    /** A zip with an executable {@code bootstrap} at its root (custom runtimes, Lambda {@code provided.al2023}). */
    NATIVE_BOOTSTRAP,
    /** A JAR with a handler class, for a platform's managed Java runtime. */
    JAR,
    /** Source files for a named runtime (for example {@code nodejs20} or {@code python3.12}). */
    SOURCE_BUNDLE,
    /** ES modules (JavaScript and WebAssembly) for a Workers-style runtime. */
    WORKER_MODULES
}
