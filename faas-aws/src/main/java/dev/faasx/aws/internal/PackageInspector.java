package dev.faasx.aws.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Checks a deployment package before it is uploaded, so that a package Lambda would refuse (or accept and then fail
 * to run) is reported at once with a sentence that says what to change. Reads only the zip's central directory.
 */
public final class PackageInspector {
    /** Lambda's limit for a package uploaded directly with the API (zipped). */
    public static final long MAX_DIRECT_UPLOAD_BYTES = 50L * 1024 * 1024;
    /** Lambda's limit for the extracted package (without layers). */
    public static final long MAX_UNZIPPED_BYTES = 250L * 1024 * 1024;

    private PackageInspector() {
    }

    /** Problems with a {@code provided.al2023} package; empty when it looks deployable. */
    public static List<String> nativeZipProblems(byte[] zip, boolean viaS3) {
        List<String> problems = new ArrayList<>();
        Set<String> names = entries(zip, viaS3, problems);
        if (names != null && !names.contains("bootstrap")) {
            problems.add("the zip has no 'bootstrap' file at its root: Lambda's provided.al2023 runtime starts"
                    + " that executable (put it at the top level of the zip, not in a folder)");
        }
        return problems;
    }

    /**
     * Problems with a JAR for a managed Java runtime; {@code requiredClasses} are class names that must be in it
     * (checked only when the JAR has no {@code lib/} JARs, where they could also live).
     */
    public static List<String> jarProblems(byte[] jar, List<String> requiredClasses, boolean viaS3) {
        List<String> problems = new ArrayList<>();
        Set<String> names = entries(jar, viaS3, problems);
        if (names == null) {
            return problems;
        }
        boolean hasLibJars = names.stream().anyMatch(n -> n.startsWith("lib/") && n.endsWith(".jar"));
        if (!hasLibJars) {
            for (String className : requiredClasses) {
                String path = className.replace('.', '/') + ".class";
                if (!names.contains(path)) {
                    problems.add("the JAR does not contain " + className + " (" + path + "): build a JAR that"
                            + " includes it and its dependencies (for example with the maven-shade-plugin)");
                }
            }
        }
        return problems;
    }

    /**
     * The zip's entry names, or {@code null} when it cannot be read.
     *
     * @param viaS3 whether a package over the direct-upload limit can go through an S3 bucket
     */
    private static Set<String> entries(byte[] zip, boolean viaS3, List<String> problems) {
        if (zip.length > MAX_DIRECT_UPLOAD_BYTES && !viaS3) {
            problems.add("the package is " + zip.length + " bytes, over Lambda's " + MAX_DIRECT_UPLOAD_BYTES
                    + "-byte (50 MB) limit for a direct upload: set LambdaExecutor.builder().packageBucket(bucket)"
                    + " so that faasx uploads it to Amazon S3 and deploys it from there, or make it smaller (move"
                    + " dependencies to a layer, strip unused files)");
            return null;
        }
        if (zip.length > MAX_UNZIPPED_BYTES) {
            problems.add("the package is " + zip.length + " bytes, over Lambda's " + MAX_UNZIPPED_BYTES
                    + "-byte (250 MB) limit even through S3: make it smaller or use a container image");
            return null;
        }
        Set<String> names = new HashSet<>();
        long unzipped = 0;
        try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry entry : Collections.list(file.getEntries())) {
                String name = entry.getName();
                if (!safe(name)) {
                    problems.add("zip entry '" + printable(name) + "' has an unsafe path (absolute, '..' or '\\')");
                    continue;
                }
                if (!entry.isDirectory()) {
                    names.add(name);
                }
                if (entry.getSize() > 0) {
                    unzipped += entry.getSize();
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add("the package is not a readable zip file: " + e.getMessage());
            return null;
        }
        if (unzipped > MAX_UNZIPPED_BYTES) {
            problems.add("the package extracts to " + unzipped + " bytes, over Lambda's " + MAX_UNZIPPED_BYTES
                    + "-byte (250 MB) limit: make it smaller or use a container image");
        }
        return names;
    }

    private static boolean safe(String name) {
        if (name.isEmpty() || name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0) {
            return false;
        }
        for (String segment : name.split("/")) {
            if (segment.equals("..")) {
                return false;
            }
        }
        return true;
    }

    private static String printable(String name) {
        String shown = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
