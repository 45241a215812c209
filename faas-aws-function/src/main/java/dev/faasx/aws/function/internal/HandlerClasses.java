package dev.faasx.aws.function.internal;

import dev.faasx.core.JobHandler;
import java.lang.reflect.InvocationTargetException;

/** Loads handler classes by name, with errors that say what to fix. */
public final class HandlerClasses {
    private HandlerClasses() {
    }

    /** A new instance of {@code className}, which must be a {@code type} with a public no-argument constructor. */
    public static <T> T instantiate(String className, Class<T> type) {
        if (className == null || className.isBlank()) {
            throw new IllegalArgumentException("no handler class given");
        }
        Class<?> found;
        try {
            found = Class.forName(className.strip(), true, HandlerClasses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("handler class " + className + " cannot be loaded: " + e);
        }
        if (!type.isAssignableFrom(found)) {
            throw new IllegalArgumentException("handler class " + className + " does not implement "
                    + type.getName());
        }
        try {
            return type.cast(found.getConstructor().newInstance());
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalArgumentException("handler class " + className
                    + " needs a public no-argument constructor (and must be public, and static if nested)");
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("the constructor of handler class " + className + " failed: "
                    + e.getCause(), e.getCause());
        } catch (InstantiationException | LinkageError e) {
            throw new IllegalArgumentException("handler class " + className + " cannot be instantiated: " + e);
        }
    }

    /** A {@link JobHandler} by class name. */
    public static JobHandler jobHandler(String className) {
        return instantiate(className, JobHandler.class);
    }
}
