package dev.faasx.core.internal;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * The command line of faasx's runnable jars (the local emulators): {@code --name value} options and
 * {@code --help}. Every problem is an {@link IllegalArgumentException} that names the option, so the usage line can
 * follow it. Not thread-safe; one per {@code main}.
 *
 * <pre>{@code
 * CommandLine cli = CommandLine.parseOrExit("faas-x-local", USAGE, args, "--port", "--data-dir");
 * builder.port(cli.port("--port").orElse(8080));
 * CommandLine.serveUntilStopped("faas-x-local-stop", emulator);
 * }</pre>
 */
public final class CommandLine {
    private final Map<String, String> values;

    private CommandLine(Map<String, String> values) {
        this.values = values;
    }

    /**
     * The options in {@code args}, or empty when help was asked for.
     *
     * @throws IllegalArgumentException for an option not in {@code options} or one without its value
     */
    public static Optional<CommandLine> parse(String[] args, Set<String> options) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                return Optional.empty();
            }
            if (!options.contains(option)) {
                throw new IllegalArgumentException("unknown option " + option);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + option);
            }
            values.put(option, args[++i]);
        }
        return Optional.of(new CommandLine(values));
    }

    /**
     * {@link #parse}, for a {@code main}: prints {@code usage} and exits 0 on {@code --help}; prints the problem and
     * {@code usage} on stderr and exits 2 on a bad command line.
     */
    public static CommandLine parseOrExit(String program, String usage, String[] args, String... options) {
        try {
            Optional<CommandLine> cli = parse(args, Set.of(options));
            if (cli.isEmpty()) {
                System.out.println(usage);
                System.exit(0);
            }
            return cli.orElseThrow();
        } catch (IllegalArgumentException e) {
            exitOnBadOption(program, usage, e);
            throw e; // not reached
        }
    }

    /** Prints a bad option's problem and the usage on stderr, and exits 2. */
    public static void exitOnBadOption(String program, String usage, IllegalArgumentException problem) {
        System.err.println(program + ": " + problem.getMessage());
        System.err.println(usage);
        System.exit(2);
    }

    public Optional<String> text(String option) {
        return Optional.ofNullable(values.get(option));
    }

    public Optional<Path> path(String option) {
        return text(option).map(Path::of);
    }

    /** A port number 0-65535 (0: any free port). */
    public OptionalInt port(String option) {
        String value = values.get(option);
        if (value == null) {
            return OptionalInt.empty();
        }
        if (value.matches("[0-9]{1,5}") && Integer.parseInt(value) <= 65_535) {
            return OptionalInt.of(Integer.parseInt(value));
        }
        throw new IllegalArgumentException(option + " needs a port number 0-65535, not '" + value + "'");
    }

    /** A whole number from 0 up. */
    public OptionalLong number(String option) {
        String value = values.get(option);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (value.matches("[0-9]{1,18}")) {
            return OptionalLong.of(Long.parseLong(value));
        }
        throw new IllegalArgumentException(option + " takes a whole number from 0 up, not '" + value + "'");
    }

    /** A whole number from 0 up that fits in an {@code int}. */
    public OptionalInt intNumber(String option) {
        OptionalLong n = number(option);
        if (n.isEmpty()) {
            return OptionalInt.empty();
        }
        if (n.getAsLong() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " is too large: " + n.getAsLong());
        }
        return OptionalInt.of((int) n.getAsLong());
    }

    /**
     * Closes {@code resources} in order when the JVM is asked to stop (Ctrl-C, SIGTERM), and waits until then: the
     * end of a runnable jar's {@code main}.
     */
    public static void serveUntilStopped(String threadName, AutoCloseable... resources) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (AutoCloseable resource : resources) {
                try {
                    resource.close();
                } catch (Exception e) {
                    System.err.println(threadName + ": closing " + resource + " failed: " + e);
                }
            }
            stopped.countDown();
        }, threadName));
        stopped.await();
    }
}
