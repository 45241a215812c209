package dev.faasx.server.internal.store;

import dev.faasx.core.internal.SafeZip;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.server.internal.ApiError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Extracts an uploaded function package into a fresh directory with core's {@link SafeZip} (which refuses anything
 * that could escape the directory or exhaust the disk), and checks what the spec asks of a package: a regular file
 * named {@code bootstrap} at its root, which is made executable. Stateless and thread-safe.
 */
public final class PackageExtractor {
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");

    private final SafeZip.Limits limits;

    public PackageExtractor(long maxUncompressedBytes, int maxEntries) {
        this.limits = new SafeZip.Limits(maxUncompressedBytes, maxEntries, false, true);
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
        SafeZip.Extracted extracted;
        try {
            extracted = SafeZip.extract(zip, target, limits);
        } catch (SafeZip.UnsafeZipException e) {
            throw apiError(e);
        }
        if (!extracted.fileNames().contains("bootstrap")) {
            throw invalid(Files.isDirectory(target.resolve("bootstrap"), LinkOption.NOFOLLOW_LINKS)
                    ? "'bootstrap' must be a file, not a directory"
                    : "the package has no 'bootstrap' file at its root");
        }
        Files.setPosixFilePermissions(target.resolve("bootstrap"), EXECUTABLE);
        return new Extracted(extracted.files(), extracted.uncompressedBytes());
    }

    /** {@link SafeZip#normalize}, failing with the spec's error. */
    static String normalize(String raw) {
        try {
            return SafeZip.normalize(raw);
        } catch (SafeZip.UnsafeZipException e) {
            throw invalid(e.getMessage());
        }
    }

    private ApiError apiError(SafeZip.UnsafeZipException e) {
        return e.tooLarge()
                ? new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, e.getMessage(), Map.of("max_uncompressed_bytes",
                        Long.toString(limits.maxUncompressedBytes())))
                : invalid(e.getMessage());
    }

    private static ApiError invalid(String message) {
        return new ApiError(ErrorCode.INVALID_PACKAGE, message);
    }
}
