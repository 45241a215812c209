package dev.faasx.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeZipTest {
    private static final SafeZip.Limits STRICT = new SafeZip.Limits(1 << 20, 100, false, true);
    private static final SafeZip.Limits LAMBDA_LIKE = new SafeZip.Limits(1 << 20, 100, true, true);

    @TempDir
    Path tmp;

    /** A zip of (name, mode, content) triples; a mode with 0120000 makes a symbolic link to the content. */
    private static byte[] zip(Object... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(out)) {
            for (int i = 0; i < entries.length; i += 3) {
                ZipArchiveEntry e = new ZipArchiveEntry((String) entries[i]);
                e.setUnixMode((Integer) entries[i + 1]);
                z.putArchiveEntry(e);
                z.write(((String) entries[i + 2]).getBytes(StandardCharsets.UTF_8));
                z.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Test
    void extractsFilesWithTheirExecuteBit() throws IOException {
        Path target = tmp.resolve("t");
        SafeZip.Extracted e = SafeZip.extract(zip("bootstrap", 0100755, "#!/bin/sh", "lib/data.txt", 0100644, "d"),
                target, STRICT);
        assertThat(e.files()).isEqualTo(2);
        assertThat(e.fileNames()).containsExactlyInAnyOrder("bootstrap", "lib/data.txt");
        assertThat(Files.readString(target.resolve("lib/data.txt"))).isEqualTo("d");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("bootstrap"))))
                .isEqualTo("rwxr-xr-x");
        Path plain = tmp.resolve("plain");
        SafeZip.extract(zip("bootstrap", 0100755, "x"), plain, new SafeZip.Limits(1 << 20, 100, false, false));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain.resolve("bootstrap"))))
                .isEqualTo("rw-r--r--");
    }

    @Test
    void refusesPathsThatLeaveThePackage() {
        for (String name : new String[] {"../evil", "a/../../evil", "/etc/passwd", "C:/x", "./../evil"}) {
            assertThatThrownBy(() -> SafeZip.extract(zip(name, 0100644, "x"), tmp.resolve("t" + name.hashCode()),
                    STRICT)).as(name).isInstanceOf(SafeZip.UnsafeZipException.class);
        }
        assertThat(tmp.getParent().resolve("evil")).doesNotExist();
        // A backslash or NUL in a name (which a zip writer may not even produce) is refused by name alone.
        assertThatThrownBy(() -> SafeZip.normalize("a\\..\\evil")).isInstanceOf(SafeZip.UnsafeZipException.class);
        assertThatThrownBy(() -> SafeZip.normalize("a\u0000b")).isInstanceOf(SafeZip.UnsafeZipException.class);
        assertThat(SafeZip.normalize("./lib//a/./b.so")).isEqualTo("lib/a/b.so");
    }

    @Test
    void linksAreRefusedOrKeptOnlyInsideThePackage() throws IOException {
        byte[] inside = zip("real.txt", 0100644, "r", "alias", 0120777, "real.txt");
        assertThatThrownBy(() -> SafeZip.extract(inside, tmp.resolve("a"), STRICT))
                .isInstanceOf(SafeZip.UnsafeZipException.class).hasMessageContaining("symbolic link");
        SafeZip.extract(inside, tmp.resolve("b"), LAMBDA_LIKE);
        assertThat(Files.isSymbolicLink(tmp.resolve("b/alias"))).isTrue();
        assertThat(Files.readString(tmp.resolve("b/alias"))).isEqualTo("r");
        assertThatThrownBy(() -> SafeZip.extract(zip("out", 0120777, "../../etc/passwd"), tmp.resolve("c"),
                LAMBDA_LIKE)).isInstanceOf(SafeZip.UnsafeZipException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> SafeZip.extract(zip("abs", 0120777, "/etc/passwd"), tmp.resolve("d"), LAMBDA_LIKE))
                .isInstanceOf(SafeZip.UnsafeZipException.class);
    }

    @Test
    void refusesAZipBombCountingTheBytesItReallyHolds() {
        String big = "0".repeat(600_000);
        byte[] bomb = zip("a", 0100644, big, "b", 0100644, big);
        assertThatThrownBy(() -> SafeZip.check(bomb, STRICT)).isInstanceOf(SafeZip.UnsafeZipException.class)
                .satisfies(e -> assertThat(((SafeZip.UnsafeZipException) e).tooLarge()).isTrue());
        assertThatThrownBy(() -> SafeZip.extract(bomb, tmp.resolve("bomb"), STRICT))
                .satisfies(e -> assertThat(((SafeZip.UnsafeZipException) e).tooLarge()).isTrue());
    }

    @Test
    void refusesDuplicatesTooManyEntriesAndWhatIsNotAZip() {
        assertThatThrownBy(() -> SafeZip.check(zip("a", 0100644, "1", "./a", 0100644, "2"), STRICT))
                .hasMessageContaining("twice");
        Object[] many = new Object[3 * 101];
        for (int i = 0; i < 101; i++) {
            many[3 * i] = "f" + i;
            many[3 * i + 1] = 0100644;
            many[3 * i + 2] = "x";
        }
        assertThatThrownBy(() -> SafeZip.check(zip(many), STRICT)).hasMessageContaining("more than 100 entries");
        assertThatThrownBy(() -> SafeZip.check(new byte[] {1, 2, 3}, STRICT))
                .isInstanceOf(SafeZip.UnsafeZipException.class).hasMessageContaining("not a readable zip");
    }

    @Test
    void checkWritesNothing() throws IOException {
        SafeZip.Extracted e = SafeZip.check(zip("bootstrap", 0100755, "abc"), STRICT);
        assertThat(e.uncompressedBytes()).isEqualTo(3);
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }
}
