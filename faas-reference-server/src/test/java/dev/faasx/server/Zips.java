package dev.faasx.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds zips entry by entry with commons-compress, including the malicious ones a server must refuse. */
final class Zips {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes);

    static Zips create() {
        return new Zips();
    }

    Zips file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0100755);
    }

    Zips file(String name, byte[] content, int unixMode) {
        try {
            ZipArchiveEntry entry = new ZipArchiveEntry(name);
            entry.setUnixMode(unixMode);
            zip.putArchiveEntry(entry);
            zip.write(content);
            zip.closeArchiveEntry();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Zips symlink(String name, String target) {
        return file(name, target.getBytes(StandardCharsets.UTF_8), 0120777);
    }

    byte[] build() {
        try {
            zip.close();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code zip} with every 32-bit "uncompressed size" field (local headers and central directory) of entry
     * {@code name} overwritten with {@code declared}: a package that lies about how large it expands.
     */
    static byte[] lyingAboutSize(byte[] zip, int declared) {
        byte[] out = zip.clone();
        for (int i = 0; i + 30 < out.length; i++) {
            if (signature(out, i, 0x04034b50)) {
                putInt(out, i + 22, declared);
            } else if (signature(out, i, 0x02014b50)) {
                putInt(out, i + 24, declared);
            }
        }
        return out;
    }

    private static boolean signature(byte[] b, int at, int value) {
        return (b[at] & 0xff | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24)
                == value;
    }

    private static void putInt(byte[] b, int at, int value) {
        b[at] = (byte) value;
        b[at + 1] = (byte) (value >>> 8);
        b[at + 2] = (byte) (value >>> 16);
        b[at + 3] = (byte) (value >>> 24);
    }
}
