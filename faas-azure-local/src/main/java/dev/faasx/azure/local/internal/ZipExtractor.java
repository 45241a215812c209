package dev.faasx.azure.local.internal;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Extracts a zip deploy package safely: no absolute paths, no {@code ..}, no symbolic links, bounded in entries and
 * in extracted size; unix modes with an execute bit keep it.
 */
final class ZipExtractor {
    static final long MAX_ZIP_BYTES = 1024L * 1024 * 1024;
    static final long MAX_EXTRACTED_BYTES = 1536L * 1024 * 1024;
    static final int MAX_ENTRIES = 50_000;

    private ZipExtractor() {
    }

    /** @throws IllegalArgumentException naming the problem */
    static void extract(byte[] zip, Path target) throws IOException {
        long total = 0;
        int count = 0;
        try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry entry : Collections.list(file.getEntries())) {
                if (++count > MAX_ENTRIES) {
                    throw new IllegalArgumentException("the zip has more than " + MAX_ENTRIES + " entries");
                }
                String name = entry.getName();
                if (!safe(name)) {
                    throw new IllegalArgumentException("zip entry '" + printable(name)
                            + "' has an unsafe path (absolute, '..', '\\' or NUL)");
                }
                if (entry.isUnixSymlink()) {
                    throw new IllegalArgumentException("zip entry '" + printable(name) + "' is a symbolic link");
                }
                Path out = target.resolve(name).normalize();
                if (!out.startsWith(target)) {
                    throw new IllegalArgumentException("zip entry '" + printable(name) + "' leaves the target");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    continue;
                }
                Files.createDirectories(out.getParent());
                try (InputStream in = file.getInputStream(entry)) {
                    long remaining = MAX_EXTRACTED_BYTES - total;
                    byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, remaining + 1));
                    total += bytes.length;
                    if (total > MAX_EXTRACTED_BYTES) {
                        throw new IllegalArgumentException("the package extracts to more than "
                                + MAX_EXTRACTED_BYTES + " bytes");
                    }
                    Files.write(out, bytes);
                }
                if ((entry.getUnixMode() & 0111) != 0) {
                    Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ,
                            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE,
                            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
                    Files.setPosixFilePermissions(out, perms);
                }
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("the package is not a readable zip file: " + e.getMessage());
        }
        if (count == 0) {
            throw new IllegalArgumentException("the zip is empty");
        }
    }

    private static boolean safe(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String name) {
        String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
