package dev.faasx.server;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of the reference server:
 *
 * <pre>
 * java -jar faas-reference-server.jar --port 8080 --data-dir DIR [--api-key KEY] [--bind ADDRESS]
 *                                     [--shutdown-grace SECONDS] [--isolation sandbox|none]
 *                                     [--function-network allowed|none] [--function-read-only PATH]...
 * </pre>
 *
 * <p>The API key may also come from the environment variable {@value #API_KEY_ENV}, which keeps it out of the
 * process list. Without a key the server binds to {@code 127.0.0.1} unless {@code --bind} says otherwise; with one
 * it binds to all interfaces by default. Prints the URL it listens on, and stops gracefully on SIGTERM or Ctrl-C.
 *
 * <p>On JDKs before 25 it selects the {@code VFORK} process launch mechanism (unless
 * {@code -Djdk.lang.Process.launchMechanism} is given), which starts processes about twice as fast as the default;
 * JDK 25 deprecates that mechanism, so there the default is kept.
 */
public final class ReferenceServerMain {
    /** The environment variable that may carry the API key. */
    public static final String API_KEY_ENV = "FAASX_API_KEY";

    private static final String LAUNCH_MECHANISM = "jdk.lang.Process.launchMechanism";
    private static final String USAGE = "usage: java -jar faas-reference-server.jar --port PORT --data-dir DIR"
            + " [--api-key KEY] [--bind ADDRESS] [--shutdown-grace SECONDS] [--isolation sandbox|none]"
            + " [--function-network allowed|none] [--function-read-only PATH]...\n"
            + "  --port            port to listen on (0 picks a free one; default 8080)\n"
            + "  --data-dir        where deployed functions are stored (required)\n"
            + "  --api-key         require 'Authorization: Bearer KEY' on every request (or set " + API_KEY_ENV
            + ")\n"
            + "  --bind            address to listen on (default 127.0.0.1 without a key, 0.0.0.0 with one)\n"
            + "  --shutdown-grace  seconds requests in progress get to finish on shutdown (default 10)\n"
            + "  --isolation       sandbox: each function instance in a bubblewrap sandbox; none: functions run as\n"
            + "                    the server's user (default: sandbox where bubblewrap works, else none, warned)\n"
            + "  --function-network  allowed (default) or none: sandboxed functions get no network at all\n"
            + "  --function-read-only  a host path sandboxed functions may read (repeatable)";

    private ReferenceServerMain() {
    }

    public static void main(String[] args) {
        configureRuntime();
        ReferenceServer server;
        try {
            server = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("faasx reference server: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        if (server == null) {
            System.out.println(USAGE);
            return;
        }
        run(server, System.out);
    }

    private static void run(ReferenceServer server, PrintStream out) {
        try {
            server.start();
        } catch (RuntimeException e) {
            System.err.println("faasx reference server: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "faasx-shutdown"));
        out.println("faasx reference server listening on " + server.baseUri() + " (" + server.startupSummary()
                + ")");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server the arguments describe, or {@code null} when they ask for help. */
    static ReferenceServer parse(String[] args, Map<String, String> env) {
        ReferenceServer.Builder builder = ReferenceServer.builder();
        String apiKey = env.get(API_KEY_ENV);
        String bind = null;
        boolean dataDir = false;
        java.util.List<Path> readOnly = new java.util.ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                return null;
            }
            String value = i + 1 < args.length ? args[++i] : null;
            if (value == null) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            switch (arg) {
                case "--port" -> builder.port(number(arg, value));
                case "--data-dir" -> {
                    builder.dataDirectory(Path.of(value));
                    dataDir = true;
                }
                case "--api-key" -> apiKey = value;
                case "--bind" -> bind = value;
                case "--shutdown-grace" -> builder.shutdownGrace(Duration.ofSeconds(number(arg, value)));
                case "--isolation" -> builder.isolation(switch (value) {
                    case "sandbox" -> Isolation.SANDBOX;
                    case "none" -> Isolation.NONE;
                    default -> throw new IllegalArgumentException("--isolation must be sandbox or none, was '"
                            + value + "'");
                });
                case "--function-network" -> builder.functionNetwork(switch (value) {
                    case "allowed" -> true;
                    case "none" -> false;
                    default -> throw new IllegalArgumentException("--function-network must be allowed or none, was '"
                            + value + "'");
                });
                case "--function-read-only" -> readOnly.add(Path.of(value));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (!dataDir) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        builder.functionReadOnlyPaths(readOnly);
        if (apiKey != null && !apiKey.isBlank()) {
            builder.apiKey(apiKey);
        }
        boolean keyed = apiKey != null && !apiKey.isBlank();
        builder.bindAddress(bind != null ? bind : keyed ? "0.0.0.0" : "127.0.0.1");
        return builder.build();
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, was '" + value + "'");
        }
    }

    /** Logging through SLF4J at info level with timestamps, and the faster process launch where it is safe. */
    private static void configureRuntime() {
        System.setProperty("org.jboss.logging.provider", "slf4j");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSZ");
        setIfAbsent("org.slf4j.simpleLogger.log.org.xnio", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.io.undertow", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.jboss", "warn");
        if (Runtime.version().feature() < 25) {
            setIfAbsent(LAUNCH_MECHANISM, "VFORK");
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
