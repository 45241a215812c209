package dev.faasx.core.function;

import dev.faasx.core.JobHandler;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Map;

/**
 * The entry point that turns a {@link JobHandler} class into a spec function process:
 *
 * <pre>
 * java -cp app.jar dev.faasx.core.function.FunctionMain [--worker] com.example.Resize
 * </pre>
 *
 * <p>The handler class comes from the argument or, when there is none, from the environment variable
 * {@value #HANDLER_ENV}; it must implement {@link JobHandler} and have a public no-argument constructor.
 *
 * <ul>
 *   <li><b>Spec v1 mode</b> (the default): reads one invoke request from stdin until end of input, runs the handler,
 *       writes one response to stdout and exits with status 0.</li>
 *   <li><b>Persistent-worker mode</b> ({@code --worker}, or {@value #WORKER_MODE_ENV}{@code =persistent}): writes
 *       {@value FunctionHost#READY_LINE} and a line feed to stdout, then answers each request line with one response
 *       line, in order, until stdin closes; then exits with status 0.</li>
 * </ul>
 *
 * <p>stdout carries only the protocol: {@code System.out} is pointed at stderr before the handler is created, so
 * whatever the handler prints lands in the function's log. A failing handler yields {@code success:false} with its
 * message (the stack trace goes to stderr). A handler class that cannot be created ends the process with status 1
 * (after answering the request with a failure in v1 mode); wrong arguments end it with status 2.
 *
 * <p>A typical {@code bootstrap} script:
 * <pre>
 * #!/bin/sh
 * exec java -cp "$(dirname "$0")/app.jar" dev.faasx.core.function.FunctionMain com.example.Resize
 * </pre>
 */
public final class FunctionMain {
    /** Names the handler class when no argument does. */
    public static final String HANDLER_ENV = "FAASX_HANDLER";
    /** {@code persistent} selects persistent-worker mode; {@code process} (or nothing) selects spec v1 mode. */
    public static final String WORKER_MODE_ENV = "FAASX_WORKER_MODE";
    /** The argument that selects persistent-worker mode. */
    public static final String WORKER_FLAG = "--worker";

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    private static final String USAGE = "usage: java -cp <classpath> " + FunctionMain.class.getName() + " ["
            + WORKER_FLAG + "] <handler-class>   (or set " + HANDLER_ENV + "; " + WORKER_MODE_ENV
            + "=persistent selects worker mode)";

    private FunctionMain() {
    }

    public static void main(String[] args) {
        PrintStream log = System.err;
        OutputStream protocol = new FileOutputStream(FileDescriptor.out);
        // From here on, System.out is the log: only this class writes to the real stdout.
        System.setOut(log);
        System.exit(run(args, System.getenv(), System.in, protocol, log));
    }

    /**
     * Runs one function process over the given streams and returns its exit status. {@code main} passes stdin, the
     * real stdout and stderr.
     */
    static int run(String[] args, Map<String, String> env, InputStream in, OutputStream out, PrintStream log) {
        Launch launch;
        try {
            launch = Launch.parse(args, env);
        } catch (IllegalArgumentException e) {
            log.println("faasx: " + e.getMessage());
            log.println(USAGE);
            return EXIT_USAGE;
        }
        OutputStream protocol = new BufferedOutputStream(out, 64 * 1024);
        try {
            JobHandler handler;
            try {
                handler = instantiate(launch.handlerClass());
            } catch (HandlerUnavailable e) {
                log.println("faasx: " + e.getMessage());
                if (!launch.worker()) {
                    String message = e.getMessage();
                    FunctionHost.of(call -> {
                        throw new IllegalStateException(message);
                    }).serveOnce(in, protocol);
                }
                return EXIT_FAILED;
            }
            FunctionHost host = FunctionHost.of(loggingFailures(handler, log));
            if (launch.worker()) {
                host.serveAsWorker(in, protocol);
            } else {
                host.serveOnce(in, protocol);
            }
            return EXIT_OK;
        } catch (IOException e) {
            log.println("faasx: cannot use stdin/stdout: " + e);
            return EXIT_FAILED;
        }
    }

    /** The handler, printing the stack trace of each failure to the log before it becomes the job's failure. */
    private static JobHandler loggingFailures(JobHandler handler, PrintStream log) {
        return call -> {
            try {
                return handler.handle(call);
            } catch (Throwable failure) {
                log.println("faasx: job " + call.jobId() + " (call " + call.callId() + ") failed:");
                failure.printStackTrace(log);
                throw failure;
            }
        };
    }

    private static JobHandler instantiate(String className) throws HandlerUnavailable {
        Class<?> type;
        try {
            type = Class.forName(className, true, FunctionMain.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new HandlerUnavailable("handler class " + className + " cannot be loaded: " + e);
        }
        if (!JobHandler.class.isAssignableFrom(type)) {
            throw new HandlerUnavailable("handler class " + className + " does not implement "
                    + JobHandler.class.getName());
        }
        try {
            return (JobHandler) type.getConstructor().newInstance();
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new HandlerUnavailable("handler class " + className
                    + " needs a public no-argument constructor (and must be public, and static if nested)");
        } catch (InvocationTargetException e) {
            throw new HandlerUnavailable("the constructor of handler class " + className + " failed: "
                    + e.getCause());
        } catch (InstantiationException | LinkageError e) {
            throw new HandlerUnavailable("handler class " + className + " cannot be instantiated: " + e);
        }
    }

    /** Why the handler could not be created. */
    private static final class HandlerUnavailable extends Exception {
        private static final long serialVersionUID = 1L;

        HandlerUnavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** What the command line and environment asked for. */
    record Launch(String handlerClass, boolean worker) {
        static Launch parse(String[] args, Map<String, String> env) {
            boolean worker = false;
            String handler = null;
            for (String arg : args) {
                if (arg.equals(WORKER_FLAG)) {
                    worker = true;
                } else if (arg.startsWith("-")) {
                    throw new IllegalArgumentException("unknown option " + arg);
                } else if (handler == null) {
                    handler = arg;
                } else {
                    throw new IllegalArgumentException("more than one handler class: " + handler + ", " + arg);
                }
            }
            if (handler == null) {
                handler = env.get(HANDLER_ENV);
            }
            if (handler == null || handler.isBlank()) {
                throw new IllegalArgumentException("no handler class: pass it as an argument or set " + HANDLER_ENV);
            }
            String mode = env.get(WORKER_MODE_ENV);
            if (mode != null && !mode.isBlank()) {
                switch (mode.strip().toLowerCase(Locale.ROOT)) {
                    case "persistent" -> worker = true;
                    case "process" -> { }
                    default -> throw new IllegalArgumentException(WORKER_MODE_ENV + " must be persistent or process, was "
                            + mode);
                }
            }
            return new Launch(handler.strip(), worker);
        }
    }
}
