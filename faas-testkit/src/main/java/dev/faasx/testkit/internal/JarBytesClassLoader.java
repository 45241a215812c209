package dev.faasx.testkit.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads classes and resources from the bytes of a JAR, held in memory, so that nothing is written to disk and
 * nothing needs deleting. Delegates to its parent first, as the JDK's class loaders do: classes the parent can
 * load (the faasx API above all) are shared with the host, so a handler loaded here is a
 * {@code dev.faasx.core.JobHandler} the host can call.
 */
public final class JarBytesClassLoader extends ClassLoader {
    private static final String PROTOCOL = "faasx-jar";
    private static final int MAX_ENTRIES = 100_000;

    static {
        registerAsParallelCapable();
    }

    private final Map<String, byte[]> entries;
    private final URLStreamHandler urlHandler = new EntryUrlHandler();

    private JarBytesClassLoader(String name, Map<String, byte[]> entries, ClassLoader parent) {
        super(name, parent);
        this.entries = entries;
    }

    /**
     * Reads {@code jar} into a class loader.
     *
     * @param maxUncompressedBytes the most bytes all entries together may hold once inflated
     * @throws InvalidJarException when the bytes are not a readable JAR, hold no entries, or are too large
     */
    public static JarBytesClassLoader read(String name, byte[] jar, ClassLoader parent, long maxUncompressedBytes)
            throws InvalidJarException {
        Map<String, byte[]> entries = new HashMap<>();
        long total = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                if (entry.isDirectory()) {
                    continue;
                }
                if (entries.size() == MAX_ENTRIES) {
                    throw new InvalidJarException("the JAR holds more than " + MAX_ENTRIES + " files");
                }
                byte[] content = readBounded(in, maxUncompressedBytes - total);
                total += content.length;
                entries.putIfAbsent(entry.getName(), content);
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidJarException("the JAR cannot be read: " + e.getMessage());
        }
        if (entries.isEmpty()) {
            throw new InvalidJarException("the JAR holds no files (is it a JAR at all?)");
        }
        return new JarBytesClassLoader(name, Map.copyOf(entries), parent);
    }

    private static byte[] readBounded(InputStream in, long budget) throws IOException, InvalidJarException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        long read = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            read += n;
            if (read > budget) {
                throw new InvalidJarException("the JAR's files exceed the limit once uncompressed");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    /** Whether the JAR holds a file named {@code entryName}, for example {@code a/b/C.class}. */
    public boolean contains(String entryName) {
        return entries.containsKey(entryName);
    }

    @Override
    protected Class<?> findClass(String className) throws ClassNotFoundException {
        byte[] bytes = entries.get(className.replace('.', '/') + ".class");
        if (bytes == null) {
            throw new ClassNotFoundException(className);
        }
        int dot = className.lastIndexOf('.');
        if (dot > 0) {
            String packageName = className.substring(0, dot);
            if (getDefinedPackage(packageName) == null) {
                try {
                    definePackage(packageName, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException alreadyDefinedConcurrently) {
                    // another thread defined it first; nothing to do
                }
            }
        }
        return defineClass(className, bytes, 0, bytes.length);
    }

    @Override
    protected URL findResource(String resourceName) {
        if (!entries.containsKey(resourceName)) {
            return null;
        }
        try {
            return new URL(PROTOCOL, null, -1, "/" + resourceName, urlHandler);
        } catch (MalformedURLException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String resourceName) {
        URL url = findResource(resourceName);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(List.of(url));
    }

    /** The bytes are not a JAR this loader can use; the message says why. */
    public static final class InvalidJarException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidJarException(String message) {
            super(message);
        }
    }

    // Serves the held bytes for the URLs that findResource hands out.
    private final class EntryUrlHandler extends URLStreamHandler {
        @Override
        protected URLConnection openConnection(URL url) throws IOException {
            byte[] content = entries.get(url.getPath().substring(1));
            if (content == null) {
                throw new IOException("no such entry: " + url);
            }
            return new URLConnection(url) {
                @Override
                public void connect() {
                    connected = true;
                }

                @Override
                public InputStream getInputStream() {
                    return new ByteArrayInputStream(content);
                }

                @Override
                public long getContentLengthLong() {
                    return content.length;
                }
            };
        }
    }
}
