package dev.faasx.aws.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Puts deployment packages that are too large for a direct upload into an S3 bucket, where CreateFunction and
 * UpdateFunctionCode then take them from ({@code S3Bucket}, {@code S3Key}). The key is
 * {@code {prefix}{function}/{sha256 of the package}.zip}, so the same package is not stored twice under different
 * names and a new one never overwrites what a running deployment reads. Thread-safe.
 */
public final class PackageUpload {
    /** Where one package was put. */
    public record Location(String bucket, String key) {
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final Executor executor;

    public PackageUpload(S3Client s3, String bucket, String prefix, Executor executor) {
        this.s3 = Objects.requireNonNull(s3, "s3");
        this.bucket = Objects.requireNonNull(bucket, "bucket");
        this.prefix = Objects.requireNonNull(prefix, "prefix");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Uploads {@code code} for {@code functionName}; completes with its location. */
    public CompletableFuture<Location> upload(String functionName, byte[] code) {
        String key = prefix + functionName + "/" + sha256(code) + ".zip";
        return CompletableFuture.supplyAsync(() -> {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/zip"), RequestBody.fromBytes(code));
            return new Location(bucket, key);
        }, executor);
    }

    /** The bucket packages go to. */
    public String bucket() {
        return bucket;
    }

    private static String sha256(byte[] code) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(code));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
