package dev.faasx.testkit;

import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Java implementation of the compatibility protocol that {@link FaasExecutorCompatibilityKit} drives. Deploy
 * it (or a function in any language that speaks the same protocol) wherever an executor under test runs code.
 *
 * <p>The protocol: the function answers the request body unchanged, with the request metadata as the response
 * metadata, unless the body is ASCII text that starts with one of these commands:
 * <ul>
 *   <li>{@code faasx-kit:fail:<message>} — the function fails with {@code <message>} (UTF-8);</li>
 *   <li>{@code faasx-kit:sleep:<millis>} — the function sleeps that many milliseconds (a whole number from 0 to
 *       900000), then answers as usual: the body unchanged, the metadata echoed;</li>
 *   <li>{@code faasx-kit:env:<NAME>} — the function answers the value of environment variable {@code NAME} as
 *       UTF-8 bytes (with the metadata echoed), or fails when it is not set.</li>
 *   <li>{@code faasx-kit:window:<millis>} — the function notes the wall-clock time (epoch milliseconds), sleeps
 *       that many milliseconds, and answers {@code <start>,<end>} in ASCII: the window in which it ran, so that a
 *       test can prove calls overlapped.</li>
 * </ul>
 * A malformed command (a sleep that is not a number, an invalid variable name) makes the function fail with a
 * message saying what was wrong. Environment variables are read through {@link FunctionEnvironment#get}, so the
 * function works in-process under {@link InMemoryExecutor} and in a real function process alike.
 *
 * <p>Stateless and thread-safe; created through its public no-argument constructor by function-side adapters.
 *
 * <pre>{@code
 * FunctionPackage jar = HandlerJar.of(CompatibilityFunction.class);
 * executor.invoke(JobCall.of(7, CompatibilityFunction.failCommand("boom")));   // fails with "boom"
 * }</pre>
 */
public final class CompatibilityFunction implements JobHandler {

    /** Body prefix of a command that makes the function fail with the rest of the body as its message. */
    public static final String FAIL = "faasx-kit:fail:";
    /** Body prefix of a command that makes the function sleep for the given number of milliseconds. */
    public static final String SLEEP = "faasx-kit:sleep:";
    /** Body prefix of a command that makes the function answer the value of an environment variable. */
    public static final String ENV = "faasx-kit:env:";
    /** Body prefix of a command that makes the function sleep and answer the wall-clock window it ran in. */
    public static final String WINDOW = "faasx-kit:window:";
    /** The longest sleep the protocol allows: the longest function timeout the spec allows. */
    public static final Duration MAX_SLEEP = Duration.ofSeconds(900);

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern MILLIS = Pattern.compile("[0-9]{1,7}");

    /** Creates the function; it holds no state. */
    public CompatibilityFunction() {
    }

    /** The body of a call that makes the function fail with {@code message}. */
    public static byte[] failCommand(String message) {
        return (FAIL + Objects.requireNonNull(message, "message")).getBytes(StandardCharsets.UTF_8);
    }

    /** The body of a call that makes the function sleep for {@code duration} (whole milliseconds) and echo. */
    public static byte[] sleepCommand(Duration duration) {
        if (duration.isNegative() || duration.compareTo(MAX_SLEEP) > 0) {
            throw new IllegalArgumentException("sleep must be between 0 and " + MAX_SLEEP + ", was " + duration);
        }
        return (SLEEP + duration.toMillis()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The body of a call that makes the function sleep for {@code duration} and answer {@code <start>,<end>}. */
    public static byte[] windowCommand(Duration duration) {
        sleepCommand(duration); // same bounds
        return (WINDOW + duration.toMillis()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The {@code [start, end]} epoch milliseconds of a window answer. */
    public static long[] parseWindow(byte[] answer) {
        String text = new String(answer, StandardCharsets.US_ASCII);
        String[] parts = text.split(",", -1);
        if (parts.length != 2 || !parts[0].matches("[0-9]{1,15}") || !parts[1].matches("[0-9]{1,15}")) {
            throw new IllegalArgumentException("not a window answer: '" + text + "'");
        }
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    }

    /** The body of a call that makes the function answer the value of environment variable {@code name}. */
    public static byte[] envCommand(String name) {
        if (!ENV_NAME.matcher(Objects.requireNonNull(name, "name")).matches()) {
            throw new IllegalArgumentException("not an environment variable name: " + name);
        }
        return (ENV + name).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public JobOutput handle(JobCall call) throws Exception {
        byte[] body = call.body();
        if (startsWith(body, FAIL)) {
            throw new RequestedFailure(argument(body, FAIL, StandardCharsets.UTF_8));
        }
        if (startsWith(body, SLEEP)) {
            Thread.sleep(sleepMillis(argument(body, SLEEP, StandardCharsets.US_ASCII)));
            return JobOutput.of(body, call.metadata());
        }
        if (startsWith(body, WINDOW)) {
            long millis = sleepMillis(argument(body, WINDOW, StandardCharsets.US_ASCII));
            long start = System.currentTimeMillis();
            Thread.sleep(millis);
            long end = System.currentTimeMillis();
            return JobOutput.of((start + "," + end).getBytes(StandardCharsets.US_ASCII), call.metadata());
        }
        if (startsWith(body, ENV)) {
            String name = argument(body, ENV, StandardCharsets.US_ASCII);
            if (!ENV_NAME.matcher(name).matches()) {
                throw new RequestedFailure("faasx-kit:env needs an environment variable name, got '" + name + "'");
            }
            String value = FunctionEnvironment.get(name)
                    .orElseThrow(() -> new RequestedFailure("environment variable " + name + " is not set"));
            return JobOutput.of(value.getBytes(StandardCharsets.UTF_8), call.metadata());
        }
        return JobOutput.of(body, call.metadata());
    }

    private static long sleepMillis(String text) throws RequestedFailure {
        if (!MILLIS.matcher(text).matches() || Long.parseLong(text) > MAX_SLEEP.toMillis()) {
            throw new RequestedFailure("faasx-kit:sleep needs whole milliseconds from 0 to " + MAX_SLEEP.toMillis()
                    + ", got '" + text + "'");
        }
        return Long.parseLong(text);
    }

    private static boolean startsWith(byte[] body, String prefix) {
        if (body.length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (body[i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String argument(byte[] body, String prefix, Charset charset) {
        return new String(body, prefix.length(), body.length - prefix.length(), charset);
    }

    /** The failure a {@code faasx-kit:fail:} command (or a malformed command) asks for. */
    public static final class RequestedFailure extends Exception {
        private static final long serialVersionUID = 1L;

        public RequestedFailure(String message) {
            super(message);
        }
    }
}
