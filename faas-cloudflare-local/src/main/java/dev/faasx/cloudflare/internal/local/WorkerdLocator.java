package dev.faasx.cloudflare.internal.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Finds the {@code workerd} binary: an explicit path (system property {@code faasx.workerd.path} or environment
 * variable {@code FAASX_WORKERD}), then the npm package's platform binary under a {@code node_modules} directory
 * (the working directory and its parents, and {@code faasx.workerd.installDir}), and installs it with npm on
 * request.
 */
public final class WorkerdLocator {
    public static final String PATH_PROPERTY = "faasx.workerd.path";
    public static final String PATH_ENV = "FAASX_WORKERD";
    public static final String INSTALL_DIR_PROPERTY = "faasx.workerd.installDir";

    private WorkerdLocator() {
    }

    /** The pinned npm version of {@code workerd}. */
    public static String pinnedVersion() {
        try (InputStream in = WorkerdLocator.class.getResourceAsStream("workerd.properties")) {
            if (in == null) {
                throw new IllegalStateException("workerd.properties is missing from the faas-cloudflare jar");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first executable workerd found, if any. */
    public static Optional<Path> find() {
        for (Path candidate : candidates()) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath().normalize());
            }
        }
        return Optional.empty();
    }

    /** Where the binary sits inside a {@code node_modules} directory on this platform. */
    public static Path binaryIn(Path nodeModules) {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String cpu = arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : "64";
        if (os.contains("win")) {
            return nodeModules.resolve("@cloudflare/workerd-windows-64/bin/workerd.exe");
        }
        String platform = os.contains("mac") || os.contains("darwin") ? "darwin" : "linux";
        return nodeModules.resolve("@cloudflare/workerd-" + platform + "-" + cpu + "/bin/workerd");
    }

    /**
     * Runs {@code npm install --prefix <prefix> workerd@<pinned>} and returns the installed binary.
     *
     * @throws IOException when npm is missing or the install fails (the message holds npm's output)
     */
    public static Path install(Path prefix, Duration timeout) throws IOException {
        Files.createDirectories(prefix);
        Path binary = binaryIn(prefix.toAbsolutePath().normalize().resolve("node_modules"));
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String npm = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win") ? "npm.cmd" : "npm";
        ProcessBuilder pb = new ProcessBuilder(npm, "install", "--no-audit", "--no-fund", "--prefix",
                prefix.toString(), "workerd@" + pinnedVersion()).redirectErrorStream(true);
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("npm is not available to install workerd: " + e.getMessage(), e);
        }
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("npm install workerd did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing workerd", e);
        }
        if (process.exitValue() != 0 || !Files.isExecutable(binary)) {
            throw new IOException("npm install workerd@" + pinnedVersion() + " failed (exit " + process.exitValue()
                    + "): " + new String(output, StandardCharsets.UTF_8).strip());
        }
        return binary;
    }

    private static List<Path> candidates() {
        List<Path> out = new ArrayList<>();
        String explicit = System.getProperty(PATH_PROPERTY);
        if (explicit == null || explicit.isBlank()) {
            explicit = System.getenv(PATH_ENV);
        }
        if (explicit != null && !explicit.isBlank()) {
            out.add(Path.of(explicit));
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            out.add(binaryIn(dir.resolve("node_modules")));
            dir = dir.getParent();
        }
        String installDir = System.getProperty(INSTALL_DIR_PROPERTY);
        if (installDir != null && !installDir.isBlank()) {
            out.add(binaryIn(Path.of(installDir, "node_modules")));
        }
        return out;
    }
}
