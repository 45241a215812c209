package dev.faasx.azure.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.FunctionPackage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class FunctionAppPackageTest {
    private final ObjectMapper json = new ObjectMapper();

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    @Test
    void nativePackageNamesTheCustomHandlerTimeoutAndAFunctionLevelHttpTrigger() throws IOException {
        byte[] zip = FunctionAppPackage.forNative(FunctionPackage.bootstrapScript("#!/bin/sh\ncat\n"),
                new byte[] {1, 2}, Duration.ofSeconds(3725), json);
        Map<String, byte[]> files = unzip(zip);
        assertThat(files).containsKeys("host.json", "job/function.json", "native/bootstrap",
                "faasx/faas-azure-function.jar");
        JsonNode host = json.readTree(files.get("host.json"));
        assertThat(host.path("functionTimeout").asText()).isEqualTo("01:02:05");
        assertThat(host.path("customHandler").path("description").path("defaultExecutablePath").asText())
                .isEqualTo("java");
        assertThat(host.path("customHandler").path("description").path("arguments").toString())
                .contains(FunctionAppPackage.ENTRY_POINT).contains("--bootstrap").contains("native/bootstrap");
        JsonNode trigger = json.readTree(files.get("job/function.json")).path("bindings").path(0);
        assertThat(trigger.path("type").asText()).isEqualTo("httpTrigger");
        assertThat(trigger.path("authLevel").asText()).isEqualTo("function");
    }

    @Test
    void nativePackageWithoutBootstrapIsAProblem() {
        FunctionPackage.NativeZip zip = FunctionPackage.nativeZip(FunctionAppPackage.forJar(
                FunctionPackage.jar(new byte[] {1}, "a.B"), Duration.ofSeconds(1), json));
        assertThat(FunctionAppPackage.nativeProblems(zip)).anyMatch(p -> p.contains("bootstrap"));
    }

    @Test
    void retryAfterReadsSecondsAndIgnoresGarbage() {
        assertThat(AzureErrors.retryAfter("12")).isEqualTo(Duration.ofSeconds(12));
        assertThat(AzureErrors.retryAfter("soon")).isNull();
        assertThat(AzureErrors.retryAfter(null)).isNull();
    }
}
