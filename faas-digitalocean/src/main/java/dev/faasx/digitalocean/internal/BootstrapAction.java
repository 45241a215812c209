package dev.faasx.digitalocean.internal;

import dev.faasx.core.internal.BootstrapZipWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Turns a native {@code bootstrap} zip into the zip of a {@code python:3.11} action: every entry as it was (with
 * its Unix mode; {@code bootstrap} always 0755) plus a generated {@code __main__.py} that runs the bootstrap with
 * the invoke request on stdin, makes the executables executable again at start (the platform's unzip may drop the
 * modes) and returns the bootstrap's answer as the action's result.
 */
public final class BootstrapAction {
    /** The runtime kind a bootstrap runs in. */
    public static final String KIND = "python:3.11";
    /** The most a bootstrap zip may unpack to: the spec's limit for an unpacked package (250 MiB). */
    static final long MAX_UNPACKED_BYTES = 250L << 20;
    private static final String TEMPLATE = load();

    private BootstrapAction() {
    }

    private static String load() {
        try (InputStream in = BootstrapAction.class.getResourceAsStream("bootstrap_main.py")) {
            if (in == null) {
                throw new IllegalStateException("bootstrap_main.py is missing from the faas-digitalocean jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The action's zip, written by core's {@link BootstrapZipWriter}.
     *
     * @throws IllegalArgumentException when the zip cannot be read, has no {@code bootstrap} at its root, holds an
     *                                  unsafe path, already has a {@code __main__.py}, or unpacks to more than
     *                                  {@value #MAX_UNPACKED_BYTES} bytes
     */
    public static byte[] wrap(byte[] bootstrapZip) {
        byte[] bootstrap = null;
        List<String> executables = new ArrayList<>(List.of("bootstrap"));
        List<BootstrapZipWriter.Entry> files = new ArrayList<>();
        long unpacked = 0;
        try (ZipFile in = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(bootstrapZip))
                .get()) {
            for (ZipArchiveEntry entry : Collections.list(in.getEntries())) {
                if (entry.isDirectory()) {
                    continue;
                }
                String name = entry.getName();
                BootstrapZipWriter.checkPath(name);
                if (name.equals("__main__.py")) {
                    throw new IllegalArgumentException("the bootstrap zip already holds a __main__.py, which the"
                            + " DigitalOcean action needs for its own entry point");
                }
                byte[] content = read(in, entry, MAX_UNPACKED_BYTES - unpacked);
                unpacked += content.length;
                if (name.equals("bootstrap")) {
                    bootstrap = content;
                    continue;
                }
                boolean executable = (entry.getUnixMode() & 0111) != 0;
                if (executable) {
                    executables.add(name);
                }
                files.add(new BootstrapZipWriter.Entry(name, content, executable));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("the bootstrap zip cannot be read: " + e.getMessage(), e);
        }
        if (bootstrap == null) {
            throw new IllegalArgumentException("the zip has no 'bootstrap' at its root");
        }
        files.add(new BootstrapZipWriter.Entry("__main__.py", mainPy(executables).getBytes(StandardCharsets.UTF_8),
                false));
        return BootstrapZipWriter.write(bootstrap, files);
    }

    /** Reads one entry, refusing to unpack more than {@code room} bytes (a zip bomb stops here, not in memory). */
    private static byte[] read(ZipFile zip, ZipArchiveEntry entry, long room) throws IOException {
        try (InputStream data = zip.getInputStream(entry)) {
            byte[] content = data.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, room + 1));
            if (content.length > room) {
                throw new IllegalArgumentException("the bootstrap zip unpacks to more than " + MAX_UNPACKED_BYTES
                        + " bytes, the most an action may hold");
            }
            return content;
        }
    }

    static String mainPy(List<String> executables) {
        StringBuilder list = new StringBuilder("[");
        for (String e : executables) {
            if (list.length() > 1) {
                list.append(", ");
            }
            list.append('"').append(e.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return TEMPLATE.replace("__EXECUTABLES__", list.append(']').toString());
    }
}
