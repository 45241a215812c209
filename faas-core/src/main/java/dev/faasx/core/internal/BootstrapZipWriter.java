package dev.faasx.core.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Writes {@code bootstrap} zips with Unix modes, which {@code java.util.zip} cannot record. */
public final class BootstrapZipWriter {
    // S_IFREG plus the permission bits, so unzip and zipinfo see a regular file.
    private static final int EXECUTABLE = 0100755;
    private static final int REGULAR = 0100644;

    private BootstrapZipWriter() {
    }

    /** A file to put beside {@code bootstrap}. */
    public record Entry(String path, byte[] content, boolean executable) {
    }

    /** Rejects paths a platform must not extract: absolute, with {@code ..}, backslashes or empty segments. */
    public static void checkPath(String path) {
        if (path == null || path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.endsWith("/")
                || path.contains("//") || path.contains("\0")) {
            throw new IllegalArgumentException("not a relative file path: " + path);
        }
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                throw new IllegalArgumentException("path must not contain '.' or '..' segments: " + path);
            }
        }
    }

    public static byte[] write(byte[] bootstrap, Collection<Entry> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            add(zip, "bootstrap", bootstrap, EXECUTABLE);
            for (Entry file : files) {
                add(zip, file.path(), file.content(), file.executable() ? EXECUTABLE : REGULAR);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write zip in memory", e);
        }
        return out.toByteArray();
    }

    private static void add(ZipArchiveOutputStream zip, String name, byte[] content, int mode) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(mode);
        entry.setSize(content.length);
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
    }
}
