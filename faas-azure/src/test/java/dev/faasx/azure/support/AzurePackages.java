package dev.faasx.azure.support;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.azure.function.CustomHandlerMain;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobHandler;
import dev.faasx.testkit.ShadedJar;


/**
 * Builds the packages a user's build would: a shaded JAR of a handler with faas-azure-function and its libraries
 * (faasx core, Jackson, SLF4J API), and the adapter JAR alone for native bootstraps. Built from this test run's
 * classpath; the libraries are collected once per instance. Thread-safe.
 */
public final class AzurePackages {
    private static final Class<?>[] LIBRARIES = {CustomHandlerMain.class, JobHandler.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    private final ShadedJar shaded = ShadedJar.of(LIBRARIES);

    /** A shaded JAR whose {@code JobHandler} is {@code handler} (with the classes it is nested in, and more). */
    public FunctionPackage.Jar jar(Class<? extends JobHandler> handler, Class<?>... moreClasses) {
        return shaded.handler(handler, moreClasses);
    }

    /** The adapter alone, shaded: what runs a native bootstrap. */
    public byte[] adapterJar() {
        return shaded.jarBytes();
    }
}
