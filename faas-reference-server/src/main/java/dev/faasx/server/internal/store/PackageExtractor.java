package dev.faasx.server.internal.store;

import dev.faasx.core.spec.ErrorCode;
import dev.faasx.server.internal.ApiError;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Extracts an uploaded function package into a fresh directory, refusing anything that could escape it or exhaust
 * the disk: entries with {@code ..} segments, absolute paths, backslashes or NUL characters, symbolic links and
 * other special files, duplicate entries, encrypted or unsupported entries, more than the allowed number of
 * entries, and more uncompressed bytes than allowed (counted while writing, never trusting the sizes the zip
 * declares). The package must hold a regular file named {@code bootstrap} at its root; it is made executable.
 *
 * <p>Reads the central directory with commons-compress, which exposes Unix modes and symlink flags that
 * {@code java.util.zip} hides. Stateless and thread-safe.
 */
public final class PackageExtractor {
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIR = 0040000;
    private static final int ANY_EXECUTE = 0111;
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");

    private final long maxUncompressedBytes;
    private final int maxEntries;

    public PackageExtractor(long maxUncompressedBytes, int maxEntries) {
        this.maxUncompressedBytes = maxUncompressedBytes;
        this.maxEntries = maxEntries;
    }

    /** What was extracted. */
    public record Extracted(int files, long uncompressedBytes) {
    }

    /**
     * Extracts {@code zip} into {@code target}, which must not exist yet. On failure {@code target} may hold a
     * partial extraction; the caller deletes it.
     *
     * @throws ApiError {@link ErrorCode#INVALID_PACKAGE} or {@link ErrorCode#PAYLOAD_TOO_LARGE}
     * @throws IOException when the disk fails
     */
    public Extracted extract(Path zip, Path target) throws IOException {
        Files.createDirectory(target);
        Path root = target.toRealPath();
        try (ZipFile file = open(zip)) {
            Enumeration<ZipArchiveEntry> entries = file.getEntriesInPhysicalOrder();
            Set<String> seen = new HashSet<>();
            long written = 0;
            int files = 0;
            boolean bootstrap = false;
            while (entries.hasMoreElements()) {
                ZipArchiveEntry entry = entries.nextElement();
                if (seen.size() >= maxEntries) {
                    throw invalid("the package has more than " + maxEntries + " entries");
                }
                String name = normalize(entry.getName());
                if (name.isEmpty()) {
                    continue;
                }
                if (!seen.add(name)) {
                    throw invalid("the package holds '" + name + "' twice");
                }
                Path destination = root.resolve(name).normalize();
                if (!destination.startsWith(root) || destination.equals(root)) {
                    throw invalid("entry '" + printable(entry.getName()) + "' points outside the package");
                }
                if (isDirectory(entry)) {
                    if (name.equals("bootstrap")) {
                        throw invalid("'bootstrap' must be a file, not a directory");
                    }
                    createDirectories(destination, name);
                    continue;
                }
                if (!file.canReadEntryData(entry)) {
                    throw invalid("entry '" + name + "' is encrypted or uses an unsupported compression method");
                }
                createDirectories(destination.getParent(), name);
                boolean executable = name.equals("bootstrap") || (entry.getUnixMode() & ANY_EXECUTE) != 0;
                try (InputStream in = file.getInputStream(entry)) {
                    written += copy(in, root, destination, maxUncompressedBytes - written);
                }
                Files.setPosixFilePermissions(destination, executable ? EXECUTABLE : REGULAR);
                files++;
                bootstrap |= name.equals("bootstrap");
            }
            if (!bootstrap) {
                throw invalid("the package has no 'bootstrap' file at its root");
            }
            return new Extracted(files, written);
        }
    }

    private static void createDirectories(Path dir, String entryName) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw invalid("entry '" + entryName + "' conflicts with a file of the same name in the package");
        }
    }

    private static ZipFile open(Path zip) throws IOException {
        try {
            return ZipFile.builder().setPath(zip).get();
        } catch (IOException | RuntimeException e) {
            throw new ApiError(ErrorCode.INVALID_PACKAGE, ErrorCode.INVALID_PACKAGE.httpStatus(),
                    "the package is not a readable zip archive: " + e.getMessage(), Map.of(), e);
        }
    }

    /**
     * The entry name as a relative path without {@code .} or empty segments.
     *
     * @throws ApiError when the name is absolute, holds {@code ..}, a backslash, a drive letter or a NUL
     */
    static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw invalid("the package holds an entry without a name");
        }
        if (raw.indexOf('\0') >= 0 || raw.indexOf('\\') >= 0) {
            throw invalid("entry '" + printable(raw) + "' contains a backslash or NUL character");
        }
        if (raw.startsWith("/") || (raw.length() > 1 && raw.charAt(1) == ':')) {
            throw invalid("entry '" + printable(raw) + "' has an absolute path");
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (String segment : raw.split("/")) {
            if (segment.equals("..")) {
                throw invalid("entry '" + printable(raw) + "' contains a '..' segment");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.toString();
    }

    private static boolean isDirectory(ZipArchiveEntry entry) {
        int type = entry.getUnixMode() & TYPE_MASK;
        if (entry.isUnixSymlink() || (type != 0 && type != TYPE_FILE && type != TYPE_DIR)) {
            throw invalid("entry '" + printable(entry.getName())
                    + "' is a symbolic link or special file; only regular files and directories are allowed");
        }
        return entry.isDirectory() || type == TYPE_DIR;
    }

    /** Copies at most {@code budget} bytes; one byte more means the package is too large. */
    private long copy(InputStream in, Path root, Path destination, long budget) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        FileChannel channel;
        try {
            channel = FileChannel.open(destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            throw invalid("entry '" + root.relativize(destination) + "' conflicts with another entry");
        }
        try (FileChannel out = channel) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > budget) {
                    throw new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "the package expands to more than "
                            + maxUncompressedBytes + " bytes", Map.of("max_uncompressed_bytes",
                            Long.toString(maxUncompressedBytes)));
                }
                ByteBuffer view = ByteBuffer.wrap(buffer, 0, n);
                while (view.hasRemaining()) {
                    out.write(view);
                }
            }
            out.force(true);
        }
        return total;
    }

    private static ApiError invalid(String message) {
        return new ApiError(ErrorCode.INVALID_PACKAGE, message);
    }

    private static String printable(String s) {
        return FunctionIds.printable(s);
    }
}
