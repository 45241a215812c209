package dev.faasx.core.internal;

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
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * The one zip extractor of faasx (the reference server and every local emulator unpack packages with it). It refuses
 * anything that could escape the target or exhaust the disk: entries with {@code ..} segments, absolute paths,
 * backslashes, drive letters or NUL characters, special files, symbolic links (or, where the platform keeps them,
 * links that point outside the package), duplicate entries, encrypted or unsupported entries, more entries than
 * allowed, and more uncompressed bytes than allowed, counted while writing, never trusting the sizes the zip
 * declares. Executable bits are kept (0755, else 0644). Reads the central directory with commons-compress, which
 * exposes the Unix modes and symlink flags that {@code java.util.zip} hides. Stateless and thread-safe.
 */
public final class SafeZip {
    private static final int TYPE_MASK = 0170000;
    private static final int TYPE_FILE = 0100000;
    private static final int TYPE_DIR = 0040000;
    private static final int ANY_EXECUTE = 0111;
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");

    private SafeZip() {
    }

    /**
     * What a package may hold.
     *
     * @param keepInternalSymlinks keep symbolic links that stay inside the package (Lambda does); otherwise every
     *                             link is refused
     * @param keepExecutableBits   write a file whose zip entry has an execute bit as 0755 (else every file is
     *                             0644, as a plain unzip such as Python's {@code zipfile} leaves it)
     */
    public record Limits(long maxUncompressedBytes, int maxEntries, boolean keepInternalSymlinks,
                         boolean keepExecutableBits) {
        public Limits {
            if (maxUncompressedBytes < 1 || maxEntries < 1) {
                throw new IllegalArgumentException("zip limits must be positive");
            }
        }
    }

    /** What was extracted: the number of regular files and their bytes, and their normalized names. */
    public record Extracted(int files, long uncompressedBytes, Set<String> fileNames) {
        public Extracted {
            fileNames = Set.copyOf(fileNames);
        }
    }

    /** A package that may not be extracted; {@link #tooLarge()} tells a size problem from any other. */
    public static final class UnsafeZipException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;
        private final boolean tooLarge;

        UnsafeZipException(String message, boolean tooLarge, Throwable cause) {
            super(message, cause);
            this.tooLarge = tooLarge;
        }

        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /** {@link #extract(ZipFile, Path, Limits)} of a zip held in memory. */
    public static Extracted extract(byte[] zip, Path target, Limits limits) throws IOException {
        try (ZipFile file = open(() -> ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                .get())) {
            return extract(file, target, limits);
        }
    }

    /**
     * Checks a zip held in memory as {@link #extract} would, without writing anything: every rule, the sizes counted
     * by reading the data (so a zip bomb is found out, not trusted).
     *
     * @throws UnsafeZipException naming the entry and the problem
     */
    public static Extracted check(byte[] zip, Limits limits) {
        try (ZipFile file = open(() -> ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip))
                .get())) {
            return walk(file, null, limits);
        } catch (IOException e) {
            throw new UnsafeZipException("the package cannot be read: " + e.getMessage(), false, e);
        }
    }

    /** {@link #extract(ZipFile, Path, Limits)} of a zip file. */
    public static Extracted extract(Path zip, Path target, Limits limits) throws IOException {
        try (ZipFile file = open(() -> ZipFile.builder().setPath(zip).get())) {
            return extract(file, target, limits);
        }
    }

    /**
     * Extracts into {@code target}, which must not exist yet or be an empty directory. On failure {@code target} may
     * hold a partial extraction; the caller deletes it.
     *
     * @throws UnsafeZipException naming the entry and the problem
     * @throws IOException        when the disk fails
     */
    private static Extracted extract(ZipFile file, Path target, Limits limits) throws IOException {
        Files.createDirectories(target);
        try (var children = Files.list(target)) {
            if (children.findAny().isPresent()) {
                throw new IllegalArgumentException("extraction target " + target + " is not empty");
            }
        }
        return walk(file, target.toRealPath(), limits);
    }

    /** Checks every entry and, unless {@code root} is {@code null}, writes it under {@code root}. */
    private static Extracted walk(ZipFile file, Path root, Limits limits) throws IOException {
        // Without a target, paths are checked against a stand-in root; nothing is created under it.
        Path base = root != null ? root : Path.of("/nonexistent-check-root");
        Enumeration<ZipArchiveEntry> entries = file.getEntriesInPhysicalOrder();
        Set<String> seen = new HashSet<>();
        Set<String> files = new HashSet<>();
        long written = 0;
        while (entries.hasMoreElements()) {
            ZipArchiveEntry entry = entries.nextElement();
            if (seen.size() >= limits.maxEntries()) {
                throw unsafe("the package has more than " + limits.maxEntries() + " entries");
            }
            String name = normalize(entry.getName());
            if (name.isEmpty()) {
                continue;
            }
            if (!seen.add(name)) {
                throw unsafe("the package holds '" + name + "' twice");
            }
            Path destination = base.resolve(name).normalize();
            if (!destination.startsWith(base) || destination.equals(base)) {
                throw unsafe("entry '" + printable(entry.getName()) + "' points outside the package");
            }
            if (entry.isUnixSymlink() && limits.keepInternalSymlinks()) {
                String link = checkLink(file, entry, base, destination, name);
                if (root != null) {
                    createDirectories(destination.getParent(), name);
                    createLink(destination, link, name);
                }
                continue;
            }
            if (isDirectory(entry)) {
                if (root != null) {
                    createDirectories(destination, name);
                }
                continue;
            }
            if (!file.canReadEntryData(entry)) {
                throw unsafe("entry '" + name + "' is encrypted or uses an unsupported compression method");
            }
            long budget = limits.maxUncompressedBytes() - written;
            try (InputStream in = file.getInputStream(entry)) {
                if (root == null) {
                    written += count(in, budget, limits.maxUncompressedBytes());
                } else {
                    createDirectories(destination.getParent(), name);
                    written += copy(in, root, destination, budget, limits.maxUncompressedBytes());
                    Files.setPosixFilePermissions(destination, limits.keepExecutableBits()
                            && (entry.getUnixMode() & ANY_EXECUTE) != 0 ? EXECUTABLE : REGULAR);
                }
            }
            files.add(name);
        }
        return new Extracted(files.size(), written, files);
    }

    /** The link's target, when it stays inside the package. */
    private static String checkLink(ZipFile file, ZipArchiveEntry entry, Path base, Path destination, String name)
            throws IOException {
        String link = file.getUnixSymlink(entry);
        if (link == null || link.isEmpty() || link.startsWith("/") || link.indexOf('\0') >= 0) {
            throw unsafe("entry '" + name + "' is a symbolic link that does not stay inside the package");
        }
        Path resolved = destination.getParent().resolve(link).normalize();
        if (!resolved.startsWith(base)) {
            throw unsafe("entry '" + name + "' is a symbolic link that points outside the package");
        }
        return link;
    }

    private static void createLink(Path destination, String link, String name) throws IOException {
        try {
            Files.createSymbolicLink(destination, Path.of(link));
        } catch (FileSystemException e) {
            throw unsafe("entry '" + name + "' conflicts with another entry");
        }
    }

    private static void createDirectories(Path dir, String entryName) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw unsafe("entry '" + entryName + "' conflicts with a file of the same name in the package");
        }
    }

    private interface Opener {
        ZipFile open() throws IOException;
    }

    private static ZipFile open(Opener opener) {
        try {
            return opener.open();
        } catch (IOException | RuntimeException e) {
            throw new UnsafeZipException("the package is not a readable zip archive: " + e.getMessage(), false, e);
        }
    }

    /**
     * The entry name as a relative path without {@code .} or empty segments.
     *
     * @throws UnsafeZipException when the name is absolute, holds {@code ..}, a backslash, a drive letter or a NUL
     */
    public static String normalize(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw unsafe("the package holds an entry without a name");
        }
        if (raw.indexOf('\0') >= 0 || raw.indexOf('\\') >= 0) {
            throw unsafe("entry '" + printable(raw) + "' contains a backslash or NUL character");
        }
        if (raw.startsWith("/") || (raw.length() > 1 && raw.charAt(1) == ':')) {
            throw unsafe("entry '" + printable(raw) + "' has an absolute path");
        }
        StringBuilder out = new StringBuilder(raw.length());
        for (String segment : raw.split("/")) {
            if (segment.equals("..")) {
                throw unsafe("entry '" + printable(raw) + "' contains a '..' segment");
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
            throw unsafe("entry '" + printable(entry.getName())
                    + "' is a symbolic link or special file; only regular files and directories are allowed");
        }
        return entry.isDirectory() || type == TYPE_DIR;
    }

    /** Reads at most {@code budget} bytes, counting them; one byte more means the package is too large. */
    private static long count(InputStream in, long budget, long max) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) > 0) {
            total += n;
            if (total > budget) {
                throw new UnsafeZipException("the package expands to more than " + max + " bytes", true, null);
            }
        }
        return total;
    }

    /** Copies at most {@code budget} bytes; one byte more means the package is too large. */
    private static long copy(InputStream in, Path root, Path destination, long budget, long max) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        FileChannel channel;
        try {
            channel = FileChannel.open(destination, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            throw unsafe("entry '" + root.relativize(destination) + "' conflicts with another entry");
        }
        try (FileChannel out = channel) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (total > budget) {
                    throw new UnsafeZipException("the package expands to more than " + max + " bytes", true, null);
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

    private static UnsafeZipException unsafe(String message) {
        return new UnsafeZipException(message, false, null);
    }

    /** {@code s} cut to 80 characters with everything but printable ASCII replaced, safe in a message or log. */
    public static String printable(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder sb = new StringBuilder(cut.length());
        cut.codePoints().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return sb.toString();
    }
}
