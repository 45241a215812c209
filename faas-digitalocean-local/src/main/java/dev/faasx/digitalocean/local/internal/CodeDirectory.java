package dev.faasx.digitalocean.local.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Lays out an action's code in an instance's directory, as an OpenWhisk runtime does in its container: a zip is
 * extracted (without Unix modes, like the runtimes' own unzip, so an action must make its executables executable
 * itself), plain source is written to the kind's entry file.
 */
final class CodeDirectory {
    /** The most a zip may hold once extracted. */
    static final long MAX_EXTRACTED_BYTES = 512L * 1024 * 1024;

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

    private static void extract(byte[] zip, Path dir) throws IOException {
        long total = 0;
        int entries = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            ZipEntry entry;
            byte[] buffer = new byte[64 * 1024];
            while ((entry = in.getNextEntry()) != null) {
                entries++;
                String name = entry.getName();
                if (name.startsWith("/") || name.contains("\\") || name.contains("\0")
                        || java.util.Arrays.asList(name.split("/")).contains("..")) {
                    throw new IOException("the zip holds an entry with an unsafe path: " + name);
                }
                if (dir == null) {
                    total += drain(in, buffer, null);
                } else {
                    Path target = dir.resolve(name).normalize();
                    if (!target.startsWith(dir)) {
                        throw new IOException("the zip holds an entry outside its root: " + name);
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(target);
                        continue;
                    }
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        total += drain(in, buffer, out);
                    }
                }
                if (total > MAX_EXTRACTED_BYTES) {
                    throw new IOException("the zip extracts to more than " + MAX_EXTRACTED_BYTES + " bytes");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("the zip cannot be read: " + e.getMessage(), e);
        }
        if (entries == 0) {
            throw new IOException("the code is not a zip file, or an empty one");
        }
    }

    private static long drain(InputStream in, byte[] buffer, OutputStream out) throws IOException {
        long n = 0;
        int read;
        while ((read = in.read(buffer)) > 0) {
            n += read;
            if (n > MAX_EXTRACTED_BYTES) {
                throw new IOException("the zip extracts to more than " + MAX_EXTRACTED_BYTES + " bytes");
            }
            if (out != null) {
                out.write(buffer, 0, read);
            }
        }
        return n;
    }
}
