package dev.faasx.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FunctionPackageTest {
    private static final String SCRIPT = "#!/bin/sh\ncat\n";

    private static ZipFile open(byte[] zip) throws IOException {
        return ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get();
    }

    @Nested
    @DisplayName("bootstrap zips")
    class BootstrapZips {
        @Test
        void bootstrapScriptIsAnExecutableEntryAtTheRoot() throws IOException {
            FunctionPackage.NativeZip pkg = FunctionPackage.bootstrapScript(SCRIPT);

            try (ZipFile zip = open(pkg.zip())) {
                ZipArchiveEntry bootstrap = zip.getEntry("bootstrap");
                assertThat(bootstrap).isNotNull();
                assertThat(bootstrap.getPlatform()).isEqualTo(ZipArchiveEntry.PLATFORM_UNIX);
                assertThat(bootstrap.getUnixMode() & 07777).isEqualTo(0755);
                assertThat(new String(zip.getInputStream(bootstrap).readAllBytes(), UTF_8)).isEqualTo(SCRIPT);
                assertThat(Collections.list(zip.getEntries())).hasSize(1);
            }
            assertThat(pkg.kind()).isEqualTo(PackageKind.NATIVE_BOOTSTRAP);
            assertThat(pkg.sizeBytes()).isEqualTo(pkg.zip().length);
        }

        @Test
        void furtherFilesKeepTheirPathsAndModes() throws IOException {
            FunctionPackage.NativeZip pkg = FunctionPackage.bootstrapZip().bootstrapScript(SCRIPT)
                    .file("lib/app.jar", new byte[] {1, 2}).executable("bin/helper", new byte[] {3}).build();

            try (ZipFile zip = open(pkg.zip())) {
                assertThat(zip.getEntry("lib/app.jar").getUnixMode() & 07777).isEqualTo(0644);
                assertThat(zip.getEntry("bin/helper").getUnixMode() & 07777).isEqualTo(0755);
                assertThat(zip.getInputStream(zip.getEntry("lib/app.jar")).readAllBytes()).containsExactly(1, 2);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"../escape", "/etc/passwd", "a/../../b", "a/./b", "a\\b", "", "dir/", "a//b", "."})
        void unsafeExtraFilePathsAreRejected(String path) {
            assertThatThrownBy(() -> FunctionPackage.bootstrapZip().bootstrapScript(SCRIPT).file(path, new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void bootstrapCannotBeAddedAsAnExtraFile() {
            assertThatThrownBy(() -> FunctionPackage.bootstrapZip().file("bootstrap", new byte[0]))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void aZipWithoutBootstrapCannotBeBuilt() {
            assertThatThrownBy(() -> FunctionPackage.bootstrapZip().file("x", new byte[0]).build())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("bootstrap");
        }

        @Test
        void zipBytesAreCopiedInAndOut() {
            byte[] bytes = {1, 2, 3};
            FunctionPackage.NativeZip pkg = FunctionPackage.nativeZip(bytes);
            bytes[0] = 9;
            pkg.zip()[1] = 9;

            assertThat(pkg.zip()).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> FunctionPackage.nativeZip(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("other kinds")
    class OtherKinds {
        @Test
        void jarNeedsAJavaClassName() {
            FunctionPackage.Jar jar = FunctionPackage.jar(new byte[] {1}, "com.example.Resize");

            assertThat(jar.kind()).isEqualTo(PackageKind.JAR);
            assertThatThrownBy(() -> FunctionPackage.jar(new byte[] {1}, "not a class"))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void workerModulesNeedTheirMainModule() {
            WorkerModule main = WorkerModule.esModule("worker.js", "export default {}");

            assertThat(FunctionPackage.workerModules("worker.js", List.of(main)).sizeBytes())
                    .isEqualTo(main.content().length);
            assertThatThrownBy(() -> FunctionPackage.workerModules("other.js", List.of(main)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
