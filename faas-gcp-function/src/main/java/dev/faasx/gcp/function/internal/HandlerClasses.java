package dev.faasx.gcp.function.internal;

import dev.faasx.core.JobHandler;
import java.lang.reflect.InvocationTargetException;

/** Loads the job handler class by name, with errors that say what to fix. */
public final class HandlerClasses {
    private HandlerClasses() {
    }

    /**
     * A new instance of {@code className}, which must implement {@link JobHandler} and have a public no-argument
     * constructor; {@code source} names where the name came from, for the error.
     */
    public static JobHandler jobHandler(String className, String source) {
        if (className == null || className.isBlank()) {
            throw new IllegalStateException("set " + source + " to the JobHandler class this function runs");
        }
        Class<?> found;
        try {
            found = Class.forName(className.strip(), true, HandlerClasses.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException("handler class " + className + " cannot be loaded: " + e);
        }
        if (!JobHandler.class.isAssignableFrom(found)) {
            throw new IllegalStateException("handler class " + className + " does not implement "
                    + JobHandler.class.getName());
        }
        try {
            return (JobHandler) found.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("handler class " + className
                    + " needs a public no-argument constructor (and must be public, and static if nested)");
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the constructor of handler class " + className + " failed: "
                    + e.getCause(), e.getCause());
        } catch (InstantiationException | LinkageError e) {
            throw new IllegalStateException("handler class " + className + " cannot be instantiated: " + e);
        }
    }
}
