package dev.faasx.aws.local.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/** Extracts deployment packages the way Lambda does: Unix modes kept, nothing outside the task root. */
final class Zips {
    private Zips() {
    }

    /** Whether {@code zip} is a readable zip archive. */
    static boolean readable(byte[] zip) {
        try (ZipFile file = open(zip)) {
            return file.getEntries().hasMoreElements();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void extract(byte[] zip, Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        try (ZipFile file = open(zip)) {
            for (ZipArchiveEntry entry : Collections.list(file.getEntries())) {
                Path target = base.resolve(entry.getName()).normalize();
                if (!target.startsWith(base) || target.equals(base)) {
                    continue;
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                if (entry.isUnixSymlink()) {
                    String link = file.getUnixSymlink(entry);
                    Path resolved = target.getParent().resolve(link).normalize();
                    if (resolved.startsWith(base)) {
                        Files.createSymbolicLink(target, Path.of(link));
                    }
                    continue;
                }
                try (InputStream in = file.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                int mode = entry.getUnixMode();
                if (mode != 0) {
                    Files.setPosixFilePermissions(target, permissions(mode));
                }
            }
        }
    }

    /**
     * Deletes {@code root} and everything under it, twice over if a file appeared meanwhile (a process that was just
     * stopped may still be writing); what cannot be deleted is left, and reported by the return value.
     */
    static boolean deleteTree(Path root) {
        for (int attempt = 0; attempt < 2; attempt++) {
            if (!Files.exists(root)) {
                return true;
            }
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // Another pass, or the caller, deals with it.
                    }
                });
            } catch (IOException | java.io.UncheckedIOException e) {
                // A file vanished while walking: try again.
            }
        }
        return !Files.exists(root);
    }

    private static ZipFile open(byte[] zip) throws IOException {
        return ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get();
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_READ, PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_READ};
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(order[i]);
            }
        }
        set.add(PosixFilePermission.OWNER_READ);
        return set;
    }
}
