package dev.faasx.testkit.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.JobHandler;
import java.lang.reflect.Constructor;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;

/**
 * Loads the handler class of a JAR package and checks that a platform can create it: present in the JAR, a
 * public concrete {@link JobHandler} with a public no-argument constructor. Every problem becomes an
 * {@link InvalidRequestException} that names the class and what to change.
 */
final class HandlerLoader {
    /** The spec's limits: 50 MB compressed, 250 MB uncompressed. */
    static final long MAX_PACKAGE_BYTES = 50L * 1024 * 1024;
    static final long MAX_UNCOMPRESSED_BYTES = 250L * 1024 * 1024;

    private HandlerLoader() {
    }

    record Loaded(JarBytesClassLoader loader, Constructor<? extends JobHandler> constructor, Duration loadDuration) {
    }

    static Loaded load(FunctionPackage.Jar jar, String functionId, ClassLoader parent, ErrorContext context) {
        long start = System.nanoTime();
        String className = jar.handlerClass();
        if (className.contains("::")) {
            throw invalid("handler " + className + " names a method; the in-memory platform calls JobHandler"
                    + " classes, so name the class alone", context);
        }
        if (jar.sizeBytes() > MAX_PACKAGE_BYTES) {
            throw invalid("the JAR has " + jar.sizeBytes() + " bytes, over the limit of " + MAX_PACKAGE_BYTES,
                    context);
        }
        JarBytesClassLoader loader;
        try {
            loader = JarBytesClassLoader.read(functionId, jar.jar(), parent, MAX_UNCOMPRESSED_BYTES);
        } catch (JarBytesClassLoader.InvalidJarException e) {
            throw invalid(e.getMessage(), context);
        }
        if (!loader.contains(className.replace('.', '/') + ".class")) {
            throw invalid("handler class " + className + " is not in the JAR", context);
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw invalid("handler class " + className + " cannot be loaded: " + e, context);
        }
        return new Loaded(loader, constructorOf(type, context), Duration.ofNanos(System.nanoTime() - start));
    }

    private static Constructor<? extends JobHandler> constructorOf(Class<?> type, ErrorContext context) {
        String name = type.getName();
        if (!JobHandler.class.isAssignableFrom(type)) {
            throw invalid("handler class " + name + " does not implement " + JobHandler.class.getName(), context);
        }
        int modifiers = type.getModifiers();
        if (!Modifier.isPublic(modifiers) || Modifier.isAbstract(modifiers)
                || (type.isMemberClass() && !Modifier.isStatic(modifiers))) {
            throw invalid("handler class " + name + " must be public, concrete and (when nested) static", context);
        }
        try {
            return type.asSubclass(JobHandler.class).getConstructor();
        } catch (NoSuchMethodException | LinkageError e) {
            throw invalid("handler class " + name + " needs a public no-argument constructor", context);
        }
    }

    private static InvalidRequestException invalid(String reason, ErrorContext context) {
        return new InvalidRequestException(reason, List.of(reason),
                context.toBuilder().code("INVALID_PACKAGE").build(), null);
    }
}
