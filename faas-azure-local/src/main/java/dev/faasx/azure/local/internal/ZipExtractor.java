package dev.faasx.azure.local.internal;

import dev.faasx.core.internal.SafeZip;
import java.io.IOException;
import java.nio.file.Path;

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

    /**
     * Extracts a zip deploy's package with core's {@link SafeZip} (no path outside the target, no links, bounded
     * sizes and entries; executable bits kept).
     *
     * @throws IllegalArgumentException naming the problem
     */
    static void extract(byte[] zip, Path target) throws IOException {
        SafeZip.Extracted extracted;
        try {
            extracted = SafeZip.extract(zip, target, new SafeZip.Limits(MAX_EXTRACTED_BYTES, MAX_ENTRIES, false,
                    true));
        } catch (SafeZip.UnsafeZipException e) {
            throw new IllegalArgumentException(e.tooLarge() ? "the package extracts to more than "
                    + MAX_EXTRACTED_BYTES + " bytes" : e.getMessage(), e);
        }
        if (extracted.files() == 0) {
            throw new IllegalArgumentException("the zip is empty");
        }
    }
}
