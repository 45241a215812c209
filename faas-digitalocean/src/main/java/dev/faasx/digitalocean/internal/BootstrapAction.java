package dev.faasx.digitalocean.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
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
    private static final int EXECUTABLE = 0100755;
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
     * The action's zip.
     *
     * @throws IllegalArgumentException when the zip cannot be read, has no {@code bootstrap} at its root, holds an
     *                                  unsafe path, or already has a {@code __main__.py}
     */
    public static byte[] wrap(byte[] bootstrapZip) {
        List<String> executables = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream(bootstrapZip.length + 4096);
        boolean hasBootstrap = false;
        try (ZipFile in = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(bootstrapZip))
                .get(); ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
            for (ZipArchiveEntry entry : Collections.list(in.getEntries())) {
                String name = entry.getName();
                checkPath(name);
                if (name.equals("__main__.py")) {
                    throw new IllegalArgumentException("the bootstrap zip already holds a __main__.py, which the"
                            + " DigitalOcean action needs for its own entry point");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                boolean isBootstrap = name.equals("bootstrap");
                hasBootstrap |= isBootstrap;
                int mode = entry.getUnixMode();
                boolean executable = isBootstrap || (mode & 0111) != 0;
                if (executable) {
                    executables.add(name);
                }
                byte[] content;
                try (InputStream data = in.getInputStream(entry)) {
                    content = data.readAllBytes();
                }
                add(zip, name, content, executable ? EXECUTABLE : 0100644);
            }
            if (!hasBootstrap) {
                throw new IllegalArgumentException("the zip has no 'bootstrap' at its root");
            }
            add(zip, "__main__.py", mainPy(executables).getBytes(StandardCharsets.UTF_8), 0100644);
        } catch (IOException e) {
            throw new IllegalArgumentException("the bootstrap zip cannot be read: " + e.getMessage(), e);
        }
        return out.toByteArray();
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

    private static void checkPath(String name) {
        if (name.startsWith("/") || name.contains("\\") || name.contains("\0") || name.contains("\n")
                || List.of(name.split("/")).contains("..")) {
            throw new IllegalArgumentException("the zip holds an entry with an unsafe path: " + name);
        }
    }

    private static void add(ZipArchiveOutputStream zip, String name, byte[] content, int mode) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(mode);
        entry.setSize(content.length);
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
    }
}
