package dev.faasx.gcp.support;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.gcp.function.JobHttpFunction;
import dev.faasx.testkit.FunctionEnvironment;
import dev.faasx.testkit.ShadedJar;

/**
 * Builds fat JARs from the test classpath, as a user's shade build would: the handler's classes plus faasx core, the
 * Cloud Functions adapter, Jackson and the SLF4J API, one JAR the Java runtime runs as it is. Thread-safe.
 */
public final class FunctionJars {
    private static final Class<?>[] LIBRARIES = {JobHandler.class, JobHttpFunction.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    private static final ShadedJar SHADED = ShadedJar.of(LIBRARIES);

    private FunctionJars() {
    }

    /** A fat JAR package whose {@code JobHandler} is {@code handler}. */
    public static FunctionPackage.Jar jar(Class<? extends JobHandler> handler) {
        return SHADED.handler(handler, FunctionEnvironment.class);
    }

    /** The bytes of a fat JAR with {@code handler} (and its enclosing class's nest) and the libraries. */
    public static byte[] fatJarBytes(Class<?> handler) {
        Class<?> outer = handler;
        while (outer.getEnclosingClass() != null) {
            outer = outer.getEnclosingClass();
        }
        return SHADED.jarBytes(outer, FunctionEnvironment.class);
    }
}
