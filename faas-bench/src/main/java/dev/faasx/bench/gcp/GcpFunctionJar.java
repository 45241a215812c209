package dev.faasx.bench.gcp;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.JobHandler;
import dev.faasx.gcp.function.JobHttpFunction;
import dev.faasx.testkit.ShadedJar;

/**
 * A fat JAR of {@link EchoJob} with faasx core, the Cloud Functions adapter, Jackson and the SLF4J API, built from
 * this classpath as a user's shade build would (only their packages: the benchmarks JAR holds every library).
 */
final class GcpFunctionJar {
    private static final Class<?>[] LIBRARIES = {JobHandler.class, JobHttpFunction.class, JsonFactory.class,
        ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class};

    /** Only these packages: in the shaded benchmarks JAR every library shares one code source. */
    private static final java.util.List<String> PACKAGES = java.util.List.of("dev/faasx/core/",
            "dev/faasx/gcp/function/", "com/fasterxml/jackson/core/", "com/fasterxml/jackson/databind/",
            "com/fasterxml/jackson/annotation/", "org/slf4j/");

    private GcpFunctionJar() {
    }

    static byte[] echo() {
        return ShadedJar.of(LIBRARIES).onlyPackages(PACKAGES.toArray(String[]::new)).jarBytes(EchoJob.class);
    }
}
