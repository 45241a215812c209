package dev.faasx.digitalocean.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.FunctionPackage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BootstrapActionTest {
    private static Map<String, Integer> modes(byte[] zip) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        try (ZipFile f = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry e : Collections.list(f.getEntries())) {
                out.put(e.getName(), e.getUnixMode() & 0777);
            }
        }
        return out;
    }

    @Test
    @DisplayName("keeps every file with its mode, and adds __main__.py that makes the executables executable")
    void wraps() throws IOException {
        byte[] zip = FunctionPackage.bootstrapZip().bootstrapScript("#!/bin/sh\necho\n")
                .executable("bin/tool", new byte[] {1}).file("data.txt", new byte[] {2}).build().zip();
        byte[] wrapped = BootstrapAction.wrap(zip);
        assertThat(modes(wrapped)).containsEntry("bootstrap", 0755).containsEntry("bin/tool", 0755)
                .containsEntry("data.txt", 0644).containsKey("__main__.py");
        try (ZipFile f = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(wrapped)).get()) {
            String main = new String(f.getInputStream(f.getEntry("__main__.py")).readAllBytes(),
                    StandardCharsets.UTF_8);
            assertThat(main).contains("EXECUTABLES = [\"bootstrap\", \"bin/tool\"]").contains("def main(args):");
        }
    }

    @Test
    @DisplayName("refuses a zip without bootstrap, one with its own __main__.py, and bytes that are not a zip")
    void refuses() {
        assertThatThrownBy(() -> BootstrapAction.wrap(new byte[] {1, 2, 3})).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("cannot be read");
        byte[] withMain = FunctionPackage.bootstrapZip().bootstrapScript("#!/bin/sh\n")
                .file("__main__.py", new byte[] {1}).build().zip();
        assertThatThrownBy(() -> BootstrapAction.wrap(withMain)).hasMessageContaining("__main__.py");
        byte[] noBootstrap = plainZip("run.sh", "echo");
        assertThatThrownBy(() -> BootstrapAction.wrap(noBootstrap)).hasMessageContaining("no 'bootstrap'");
    }

    @Test
    @DisplayName("refuses an entry that would land outside the action's directory")
    void refusesPathTraversal() {
        assertThatThrownBy(() -> BootstrapAction.wrap(plainZip("../escape", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../escape");
    }

    @Test
    @DisplayName("refuses a zip that unpacks to more than an action may hold, without unpacking it all")
    void refusesAZipBomb() {
        // 251 MiB of zeros compress to about 250 KiB.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            z.putNextEntry(new java.util.zip.ZipEntry("bootstrap"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 251; i++) {
                z.write(zeros);
            }
            z.closeEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertThatThrownBy(() -> BootstrapAction.wrap(out.toByteArray()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpacks to more than");
    }

    private static byte[] plainZip(String name, String content) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(out)) {
            z.putNextEntry(new java.util.zip.ZipEntry(name));
            z.write(content.getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
