package dev.faasx.server.internal.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory: every deployed function's package and configuration, so that a restarted server serves the
 * same functions.
 *
 * <pre>
 * DATA/functions/ID/function.json   id, version, deployed_at, package_bytes and the deploy config (spec JSON)
 * DATA/functions/ID/VERSION/        the extracted package of that version
 * DATA/staging/                     uploads and extractions in progress; emptied at start-up
 * </pre>
 *
 * A deployment is extracted under {@code staging}, moved into place, and becomes current when
 * {@code function.json} is atomically replaced; every step is flushed to disk first. A crash at any point leaves
 * either the old or the new version current, and start-up removes whatever no {@code function.json} refers to.
 *
 * <p>Callers serialise changes to one function id; different ids may change concurrently.
 */
public final class FunctionStore {
    private static final Logger LOG = LoggerFactory.getLogger(FunctionStore.class);
    private static final String DESCRIPTOR = "function.json";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path functions;
    private final Path staging;
    private final SpecCodec codec;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();

    private FunctionStore(Path dataDir, SpecCodec codec) {
        this.functions = dataDir.resolve("functions");
        this.staging = dataDir.resolve("staging");
        this.codec = codec;
    }

    /** Opens (creating if needed) the store in {@code dataDir} and clears leftovers of interrupted deployments. */
    public static FunctionStore open(Path dataDir, SpecCodec codec) throws IOException {
        FunctionStore store = new FunctionStore(dataDir, codec);
        Files.createDirectories(store.functions);
        ownerOnly(store.functions, OWNER_DIR);
        if (Files.exists(store.staging)) {
            deleteTree(store.staging);
        }
        Files.createDirectories(store.staging);
        ownerOnly(store.staging, OWNER_DIR);
        return store;
    }

    /** Restricts {@code path} to the server's user where the file system has POSIX permissions. */
    private static void ownerOnly(Path path, Set<PosixFilePermission> permissions) {
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot restrict the permissions of {}: {}", path, e.getMessage());
        }
    }

    /** A fresh, not yet existing path under the staging directory, for an upload or an extraction. */
    public Path newStagingPath(String prefix) {
        return staging.resolve(prefix + "-" + token());
    }

    /** Every stored function; unreadable descriptors are logged and skipped, never deleted. */
    public List<StoredFunction> loadAll() throws IOException {
        List<StoredFunction> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(functions, Files::isDirectory)) {
            for (Path dir : dirs) {
                String id = dir.getFileName().toString();
                if (!FunctionIds.isValid(id)) {
                    LOG.warn("ignoring {}: not a valid function id", dir);
                    continue;
                }
                Optional<StoredFunction> loaded = load(id);
                loaded.ifPresent(out::add);
                removeOtherVersions(dir, loaded.map(StoredFunction::version).orElse(null));
            }
        }
        return out;
    }

    private Optional<StoredFunction> load(String id) {
        Path descriptor = functions.resolve(id).resolve(DESCRIPTOR);
        if (!Files.exists(descriptor)) {
            return Optional.empty();
        }
        ownerOnly(descriptor, OWNER_ONLY); // stores written by older versions were world-readable
        try {
            JsonNode node = json.readTree(descriptor.toFile());
            String version = node.path("version").asText();
            DeployConfig config = codec.decodeDeployConfig(json.writeValueAsBytes(node.path("config")));
            Path directory = functions.resolve(id).resolve(version);
            if (version.isEmpty() || !Files.isRegularFile(directory.resolve("bootstrap"))) {
                LOG.warn("ignoring function {}: version '{}' is missing from {}", id, version, directory);
                return Optional.empty();
            }
            return Optional.of(new StoredFunction(id, config, directory, version,
                    Instant.parse(node.path("deployed_at").asText()), node.path("package_bytes").asLong()));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring function {}: cannot read {}: {}", id, descriptor, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Makes {@code extracted} the current version of {@code id}: moves it into place and atomically replaces the
     * descriptor. The previous version's files stay until {@link #removeVersion} is called for it.
     */
    public StoredFunction commit(String id, DeployConfig config, Path extracted, long packageBytes)
            throws IOException {
        Path dir = functions.resolve(id);
        Files.createDirectories(dir);
        String version = "v" + System.currentTimeMillis() + "-" + token();
        Path directory = dir.resolve(version);
        Files.move(extracted, directory, StandardCopyOption.ATOMIC_MOVE);
        StoredFunction stored = new StoredFunction(id, config, directory, version, Instant.now(), packageBytes);
        writeDescriptor(dir, stored);
        return stored;
    }

    /** Removes the descriptor, so that {@code id} is no longer deployed, even after a restart. */
    public void forget(String id) throws IOException {
        Path dir = functions.resolve(id);
        Files.deleteIfExists(dir.resolve(DESCRIPTOR));
        syncDirectory(dir);
    }

    /** Deletes the files of a version that is no longer current (and no longer running). */
    public void removeVersion(StoredFunction function) {
        try {
            deleteTree(function.directory());
        } catch (IOException e) {
            LOG.warn("cannot delete old version {} of function {}: {}", function.version(), function.id(),
                    e.getMessage());
        }
    }

    /** Deletes everything left of {@code id} (its directory) once it is no longer deployed. */
    public void removeFunctionDirectory(String id) {
        Path dir = functions.resolve(id);
        if (Files.exists(dir.resolve(DESCRIPTOR))) {
            return;
        }
        try {
            deleteTree(dir);
        } catch (IOException e) {
            LOG.warn("cannot delete the directory of removed function {}: {}", id, e.getMessage());
        }
    }

    private void writeDescriptor(Path dir, StoredFunction stored) throws IOException {
        ObjectNode node = json.createObjectNode();
        node.put("function_id", stored.id());
        node.put("version", stored.version());
        node.put("deployed_at", stored.deployedAt().toString());
        node.put("package_bytes", stored.packageBytes());
        node.set("config", json.readTree(codec.encodeDeployConfig(stored.config())));
        Path temp = dir.resolve(DESCRIPTOR + ".tmp-" + token());
        // The configuration holds the function's env_vars, which may be secrets: readable by the server only.
        try (FileChannel channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
            channel.write(java.nio.ByteBuffer.wrap(json.writeValueAsBytes(node)));
            channel.force(true);
        }
        syncTree(stored.directory());
        Files.move(temp, dir.resolve(DESCRIPTOR), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    private void removeOtherVersions(Path dir, String current) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.equals(DESCRIPTOR) && !name.equals(current)) {
                    LOG.info("removing leftover {} of function {}", name, dir.getFileName());
                    deleteTree(entry);
                }
            }
        }
        if (current == null) {
            Files.deleteIfExists(dir);
        }
    }

    /** Flushes a directory's entries (new or renamed files) to disk; a no-op where the OS does not allow it. */
    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            LOG.debug("cannot sync directory {}: {}", dir, e.getMessage());
        }
    }

    private static void syncTree(Path root) throws IOException {
        try (var dirs = Files.walk(root)) {
            dirs.filter(Files::isDirectory).forEach(FunctionStore::syncDirectory);
        }
    }

    private String token() {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Deletes a staging path, logging rather than failing. */
    public void discard(Path stagingPath) {
        try {
            deleteTree(stagingPath);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", stagingPath, e.getMessage());
        }
    }
}
