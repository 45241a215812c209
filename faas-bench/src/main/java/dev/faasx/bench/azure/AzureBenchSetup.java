package dev.faasx.bench.azure;

import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.azure.AzureFunctionsExecutor;
import dev.faasx.azure.function.CustomHandlerMain;
import dev.faasx.azure.local.LocalAzure;
import dev.faasx.core.FunctionPackage;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The echo job as a shaded custom-handler JAR, and executors pointed at a {@link LocalAzure}. */
final class AzureBenchSetup {
    private AzureBenchSetup() {
    }

    /** Answers its input. */
    public static final class Echo implements JobHandler {
        @Override
        public JobOutput handle(JobCall call) {
            return JobOutput.of(call.body());
        }
    }

    static AzureFunctionsExecutor executor(LocalAzure azure) {
        return AzureFunctionsExecutor.builder()
                .environment(Map.of())
                .subscriptionId("00000000-0000-0000-0000-0000000000be")
                .resourceGroup("bench")
                .region("westeurope")
                .localEndpoint(azure.endpoint())
                .managementRetry(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1))))
                .pollInterval(Duration.ofMillis(20))
                .build();
    }

    /** A shaded JAR of {@link Echo} with faas-azure-function, faas-core, Jackson and the SLF4J API. */
    static FunctionPackage.Jar echoJar() throws IOException, URISyntaxException {
        Map<String, byte[]> entries = new TreeMap<>();
        for (Class<?> type : new Class<?>[] {CustomHandlerMain.class, JobHandler.class, JsonFactory.class,
            ObjectMapper.class, JsonProperty.class, org.slf4j.Logger.class}) {
            Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                try (Stream<Path> walk = Files.walk(location)) {
                    for (Path file : walk.filter(Files::isRegularFile).toList()) {
                        put(entries, location.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
                    }
                }
            } else {
                try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(location)))) {
                    ZipEntry e;
                    while ((e = in.getNextEntry()) != null) {
                        if (!e.isDirectory()) {
                            put(entries, e.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
        for (String name : new String[] {Echo.class.getName(), AzureBenchSetup.class.getName()}) {
            String path = name.replace('.', '/') + ".class";
            try (InputStream in = AzureBenchSetup.class.getClassLoader().getResourceAsStream(path)) {
                put(entries, path, in.readAllBytes());
            }
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                jar.putNextEntry(new JarEntry(e.getKey()));
                jar.write(e.getValue());
                jar.closeEntry();
            }
        }
        return FunctionPackage.jar(bytes.toByteArray(), Echo.class.getName());
    }

    private static void put(Map<String, byte[]> entries, String name, byte[] content) {
        if (!name.equals("META-INF/MANIFEST.MF") && !name.endsWith("module-info.class")
                && !name.matches("META-INF/[^/]+\\.(SF|DSA|RSA)")) {
            entries.putIfAbsent(name, content);
        }
    }
}
