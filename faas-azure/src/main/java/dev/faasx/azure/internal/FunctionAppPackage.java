package dev.faasx.azure.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.FunctionPackage;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The zip a job's function app is deployed from: {@code host.json} naming the custom handler, one
 * {@code job/function.json} (an HTTP trigger with function-level keys and an HTTP output), and the code: the user's
 * JAR as {@code app.jar} (run by {@code CustomHandlerMain} from inside it), or a native {@code bootstrap} with its
 * files under {@code native/} and the faasx adapter JAR that runs it under {@code faasx/}.
 */
public final class FunctionAppPackage {
    /** The adapter's entry point, which a JAR must contain (a shaded JAR of the handler and faas-azure-function). */
    public static final String ENTRY_POINT = "dev.faasx.azure.function.CustomHandlerMain";
    private static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData", "-Xshare:auto");
    private static final long MAX_BYTES = 1024L * 1024 * 1024;

    private FunctionAppPackage() {
    }

    /** Problems that keep {@code jar} from running as a custom handler; empty when it looks runnable. */
    public static List<String> jarProblems(FunctionPackage.Jar jar) {
        List<String> problems = new ArrayList<>();
        Set<String> names = names(jar.jar(), problems);
        if (names == null) {
            return problems;
        }
        String handler = jar.handlerClass().replace('.', '/') + ".class";
        if (!names.contains(handler)) {
            problems.add("the JAR does not contain the handler class " + jar.handlerClass() + " (" + handler + ")");
        }
        String entry = ENTRY_POINT.replace('.', '/') + ".class";
        if (!names.contains(entry)) {
            problems.add("the JAR does not contain " + ENTRY_POINT + ": build a shaded JAR of the handler with"
                    + " dev.faasx:faas-azure-function and its dependencies (faas-core, Jackson)");
        }
        return problems;
    }

    /** Problems with a native package; empty when it holds a {@code bootstrap} at its root. */
    public static List<String> nativeProblems(FunctionPackage.NativeZip zip) {
        List<String> problems = new ArrayList<>();
        Set<String> names = names(zip.zip(), problems);
        if (names != null && !names.contains("bootstrap")) {
            problems.add("the zip has no 'bootstrap' file at its root");
        }
        return problems;
    }

    /** The deployment zip for a JAR. */
    public static byte[] forJar(FunctionPackage.Jar jar, Duration timeout, ObjectMapper json) {
        List<String> args = new ArrayList<>(JVM_OPTIONS);
        args.addAll(List.of("-cp", "app.jar", ENTRY_POINT, jar.handlerClass()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            common(zip, args, timeout, json);
            put(zip, "app.jar", jar.jar(), 0644);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The deployment zip for a native bootstrap, run by {@code adapterJar}. */
    public static byte[] forNative(FunctionPackage.NativeZip nativeZip, byte[] adapterJar, Duration timeout,
                                   ObjectMapper json) {
        List<String> args = new ArrayList<>(JVM_OPTIONS);
        args.addAll(List.of("-cp", "faasx/faas-azure-function.jar", ENTRY_POINT, "--bootstrap", "native/bootstrap"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes);
             ZipFile source = ZipFile.builder().setSeekableByteChannel(
                     new SeekableInMemoryByteChannel(nativeZip.zip())).get()) {
            common(zip, args, timeout, json);
            put(zip, "faasx/faas-azure-function.jar", adapterJar, 0644);
            for (ZipArchiveEntry entry : Collections.list(source.getEntries())) {
                if (entry.isDirectory()) {
                    continue;
                }
                try (InputStream in = source.getInputStream(entry)) {
                    int mode = entry.getName().equals("bootstrap") || (entry.getUnixMode() & 0111) != 0 ? 0755 : 0644;
                    put(zip, "native/" + entry.getName(), in.readAllBytes(), mode);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void common(ZipArchiveOutputStream zip, List<String> args, Duration timeout, ObjectMapper json)
            throws IOException {
        ObjectNode host = json.createObjectNode();
        host.put("version", "2.0");
        host.put("functionTimeout", timespan(timeout));
        ObjectNode handler = host.putObject("customHandler");
        ObjectNode description = handler.putObject("description");
        description.put("defaultExecutablePath", "java");
        description.put("workingDirectory", "");
        ArrayNode arguments = description.putArray("arguments");
        args.forEach(arguments::add);
        handler.put("enableForwardingHttpRequest", false);
        put(zip, "host.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(host), 0644);

        ObjectNode function = json.createObjectNode();
        ArrayNode bindings = function.putArray("bindings");
        ObjectNode trigger = bindings.addObject();
        trigger.put("type", "httpTrigger");
        trigger.put("direction", "in");
        trigger.put("name", "req");
        trigger.put("authLevel", "function");
        trigger.putArray("methods").add("post");
        ObjectNode out = bindings.addObject();
        out.put("type", "http");
        out.put("direction", "out");
        out.put("name", "res");
        put(zip, AppNames.FUNCTION + "/function.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(function),
                0644);
    }

    /** {@code hh:mm:ss}, as host.json's functionTimeout takes it. */
    static String timespan(Duration d) {
        long s = d.toSeconds() + (d.getNano() > 0 ? 1 : 0);
        return String.format("%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
    }

    private static void put(ZipArchiveOutputStream zip, String name, byte[] content, int mode) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(0100000 | mode);
        entry.setSize(content.length);
        zip.putArchiveEntry(entry);
        zip.write(content);
        zip.closeArchiveEntry();
    }

    private static Set<String> names(byte[] zip, List<String> problems) {
        if (zip.length > MAX_BYTES) {
            problems.add("the package is " + zip.length + " bytes, over the " + MAX_BYTES + "-byte limit");
            return null;
        }
        Set<String> names = new HashSet<>();
        try (ZipFile file = ZipFile.builder().setSeekableByteChannel(new SeekableInMemoryByteChannel(zip)).get()) {
            for (ZipArchiveEntry entry : Collections.list(file.getEntries())) {
                String name = entry.getName();
                if (name.startsWith("/") || name.contains("\\") || name.indexOf('\0') >= 0
                        || java.util.Arrays.asList(name.split("/")).contains("..")) {
                    problems.add("zip entry '" + name.replaceAll("\\p{Cntrl}", "?") + "' has an unsafe path");
                }
                if (entry.isUnixSymlink()) {
                    problems.add("zip entry '" + name + "' is a symbolic link");
                }
                names.add(name);
            }
        } catch (IOException | RuntimeException e) {
            problems.add("the package is not a readable zip file: " + e.getMessage());
            return null;
        }
        return names;
    }
}
