package dev.faasx.digitalocean.local.internal;

import dev.faasx.core.internal.SafeZip;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * Lays out an action's code in an instance's directory, as an OpenWhisk runtime does in its container: a zip is
 * extracted (without Unix modes, like the runtimes' own unzip, so an action must make its executables executable
 * itself), plain source is written to the kind's entry file.
 */
final class CodeDirectory {
    /** The most a zip may hold once extracted. */
    static final long MAX_EXTRACTED_BYTES = 512L * 1024 * 1024;
    // Modes are dropped, as the runtimes' own unzip (Python's zipfile) drops them.
    private static final SafeZip.Limits LIMITS = new SafeZip.Limits(MAX_EXTRACTED_BYTES, 100_000, false, false);

    private CodeDirectory() {
    }

    /** Checks a zip's entries without extracting it; the message says what is wrong. */
    static void checkZip(byte[] zip) throws IOException {
        extract(zip, null);
    }

    /**
     * Writes the action's code into {@code dir} and answers the entry file the launcher loads.
     *
     * @throws IOException with a message fit for the activation's error when the code cannot be laid out
     */
    static Path prepare(ActionRecord action, String defaultEntry, Path dir) throws IOException {
        Files.createDirectories(dir);
        if (action.binary()) {
            extract(Base64.getMimeDecoder().decode(action.code()), dir);
            Path entry = dir.resolve(defaultEntry);
            if (defaultEntry.equals("index.js")) {
                entry = nodeEntry(dir);
            }
            if (!Files.isRegularFile(entry)) {
                throw new IOException("Zip file does not include mandatory files: " + dir.relativize(entry));
            }
            return entry;
        }
        Path entry = dir.resolve(defaultEntry);
        String code = action.code();
        if (defaultEntry.equals("index.js")) {
            // OpenWhisk's node runtime evaluates plain source and calls the named function; a module must export it.
            String main = action.main() == null ? "main" : action.main();
            code = code + "\n;if (typeof module.exports." + main + " !== 'function' && typeof " + main
                    + " === 'function') { module.exports." + main + " = " + main + "; }\n";
        }
        Files.writeString(entry, code, StandardCharsets.UTF_8);
        return entry;
    }

    private static Path nodeEntry(Path dir) throws IOException {
        Path pkg = dir.resolve("package.json");
        if (Files.isRegularFile(pkg)) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(pkg.toFile());
            String main = json.path("main").asText("index.js");
            Path entry = dir.resolve(main).normalize();
            if (entry.startsWith(dir)) {
                return entry;
            }
        }
        return dir.resolve("index.js");
    }

    /** Checks (with {@code dir} {@code null}) or extracts a zip with core's {@link SafeZip}. */
    private static void extract(byte[] zip, Path dir) throws IOException {
        SafeZip.Extracted extracted;
        try {
            extracted = dir == null ? SafeZip.check(zip, LIMITS) : SafeZip.extract(zip, dir, LIMITS);
        } catch (SafeZip.UnsafeZipException e) {
            throw new IOException(e.tooLarge() ? "the zip extracts to more than " + MAX_EXTRACTED_BYTES + " bytes"
                    : e.getMessage(), e);
        }
        if (extracted.files() == 0) {
            throw new IOException("the code is not a zip file, or an empty one");
        }
    }
}
