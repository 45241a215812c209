package dev.faasx.cloudflare.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Cloudflare's Wrangler CLI for tests: installed with npm into {@code target/wrangler} (the build sets
 * {@code faasx.wrangler.installDir} and the pinned {@code faasx.wrangler.version}), run with Node.js. Tests that need
 * it are skipped, with the reason, when npm or a suitable Node.js is missing or the install fails; a failure is
 * remembered for the rest of the run.
 */
public final class Wrangler {
    private static volatile String unavailable;
    private static volatile Path cli;

    private Wrangler() {
    }

    /** The installed {@code wrangler} launcher, or the calling test is skipped. */
    public static synchronized Path cliOrSkip() {
        if (cli != null) {
            return cli;
        }
        if (unavailable == null) {
            try {
                cli = install();
                return cli;
            } catch (IOException e) {
                unavailable = e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unavailable = "interrupted while installing Wrangler";
            }
        }
        Assumptions.abort("Wrangler is not available: " + unavailable);
        throw new AssertionError("unreachable");
    }

    private static Path install() throws IOException, InterruptedException {
        Path prefix = Path.of(System.getProperty("faasx.wrangler.installDir", "target/wrangler")).toAbsolutePath();
        String version = System.getProperty("faasx.wrangler.version", "4.85.0");
        Path bin = prefix.resolve("node_modules/.bin/wrangler");
        Path marker = prefix.resolve("node_modules/wrangler/package.json");
        if (Files.isExecutable(bin) && Files.isRegularFile(marker)
                && Files.readString(marker).contains("\"version\": \"" + version + "\"")) {
            return bin;
        }
        Result node = run(List.of("node", "--version"), Path.of("."), Map.of(), 30);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)\\.(\\d+)").matcher(node.output());
        if (node.exit() != 0 || !m.find() || Integer.parseInt(m.group(1)) * 1000 + Integer.parseInt(m.group(2))
                < 20_003) {
            throw new IOException("Wrangler " + version + " needs Node.js 20.3 or later; node --version said: "
                    + node.output().strip());
        }
        Files.createDirectories(prefix);
        Result npm = run(List.of("npm", "install", "--no-audit", "--no-fund", "--prefix", prefix.toString(),
                "wrangler@" + version), prefix, Map.of(), 600);
        if (npm.exit() != 0 || !Files.isExecutable(bin)) {
            throw new IOException("npm install wrangler@" + version + " failed (exit " + npm.exit() + "): "
                    + tail(npm.output()));
        }
        return bin;
    }

    /** What a process printed (stdout and stderr together) and its exit code. */
    public record Result(int exit, String output) {
    }

    /** Runs {@code wrangler args...} in {@code dir} with {@code env} added, for at most {@code seconds}. */
    public static Result run(Path dir, Map<String, String> env, long seconds, String... args)
            throws IOException, InterruptedException {
        return runWithInput(dir, env, seconds, "", args);
    }

    /** As {@link #run}, writing {@code input} to wrangler's standard input (as a secret is piped in). */
    public static Result runWithInput(Path dir, Map<String, String> env, long seconds, String input, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(cliOrSkip().toString());
        command.addAll(List.of(args));
        return run(command, dir, env, seconds, input);
    }

    private static Result run(List<String> command, Path dir, Map<String, String> env, long seconds)
            throws IOException, InterruptedException {
        return run(command, dir, env, seconds, "");
    }

    private static Result run(List<String> command, Path dir, Map<String, String> env, long seconds, String input)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("faasx-wrangler", ".log");
        pb.redirectOutput(out.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " cannot be started: " + e.getMessage(), e);
        }
        try (java.io.OutputStream stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + seconds + " s: "
                    + tail(Files.readString(out, StandardCharsets.UTF_8)));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.deleteIfExists(out);
        return new Result(p.exitValue(), text);
    }

    private static String tail(String s) {
        return s.length() > 2000 ? s.substring(s.length() - 2000) : s;
    }
}
