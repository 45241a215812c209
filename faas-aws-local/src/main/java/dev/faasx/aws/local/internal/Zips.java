package dev.faasx.aws.local.internal;

import dev.faasx.core.internal.SafeZip;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Checks and extracts deployment packages the way Lambda does, with core's {@link SafeZip}: nothing outside the task
 * root, links only inside it, executable bits kept, and at most Lambda's unzipped size.
 */
final class Zips {
    /** Lambda's limit on a package's unzipped size, with its own error message. */
    static final long MAX_UNZIPPED_BYTES = 262_144_000L;
    private static final SafeZip.Limits LIMITS = new SafeZip.Limits(MAX_UNZIPPED_BYTES, 100_000, true, true);

    private Zips() {
    }

    /**
     * Checks an uploaded package before it is accepted, as CreateFunction and UpdateFunctionCode do.
     *
     * @throws ApiError with Lambda's message for an unreadable, unsafe or too large package
     */
    static void check(byte[] zip) {
        try {
            if (SafeZip.check(zip, LIMITS).files() == 0) {
                throw ApiError.invalid(UNREADABLE);
            }
        } catch (SafeZip.UnsafeZipException e) {
            throw ApiError.invalid(e.tooLarge() ? "Unzipped size must be smaller than " + MAX_UNZIPPED_BYTES + " bytes"
                    : UNREADABLE + " (" + e.getMessage() + ")");
        }
    }

    private static final String UNREADABLE =
            "Could not unzip uploaded file. Please check your file, then try to upload again.";

    static void extract(byte[] zip, Path root) throws IOException {
        SafeZip.extract(zip, root, LIMITS);
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
}
