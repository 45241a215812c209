package dev.faasx.aws.function;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.faasx.aws.function.internal.HandlerClasses;
import dev.faasx.aws.function.internal.JobInvocations;
import dev.faasx.aws.function.internal.RuntimeApiClient;
import dev.faasx.aws.function.internal.RuntimeContext;
import dev.faasx.core.JobHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * A Lambda custom runtime in Java: the loop a {@code provided.al2023} {@code bootstrap} runs. It creates the handler
 * once, then fetches events from the Lambda Runtime API ({@code GET /2018-06-01/runtime/invocation/next}) and posts
 * each answer ({@code .../{id}/response}) or failure ({@code .../{id}/error}) until the environment is shut down. A
 * handler that cannot be created is reported as an initialisation error ({@code /runtime/init/error}).
 *
 * <pre>
 * java -cp app.jar dev.faasx.aws.function.LambdaRuntimeLoop com.example.Resize
 * </pre>
 *
 * <p>The handler is the argument, else {@code FAASX_HANDLER}, else Lambda's {@code _HANDLER} (the function's handler
 * setting) when that names a class. It is either a faasx
 * {@link JobHandler} (events are the spec's invoke request JSON, answers its response JSON; a failed job is posted as
 * a function error with the exception's type and message) or a Lambda {@link RequestStreamHandler}, optionally
 * written {@code com.example.Handler::handleRequest}. A typical {@code bootstrap} next to a JAR and a Java runtime
 * (a {@code jlink} image in the zip, or a layer) is:
 *
 * <pre>
 * #!/bin/sh
 * exec "$LAMBDA_TASK_ROOT/jre/bin/java" -XX:TieredStopAtLevel=1 -cp "$LAMBDA_TASK_ROOT/app.jar" \
 *     dev.faasx.aws.function.LambdaRuntimeLoop com.example.Resize
 * </pre>
 *
 * <p>Failures are posted as Lambda's managed Java runtimes post them: the exception's class as {@code errorType}, its
 * message as {@code errorMessage} and its frames as {@code stackTrace}; the trace also goes to the log (stderr).
 */
public final class LambdaRuntimeLoop {
    /** The environment variable holding the runtime API's {@code host:port}. */
    public static final String RUNTIME_API_ENV = "AWS_LAMBDA_RUNTIME_API";

    private final RuntimeApiClient api;
    private final Map<String, String> env;
    private final PrintStream log;

    private LambdaRuntimeLoop(RuntimeApiClient api, Map<String, String> env, PrintStream log) {
        this.api = api;
        this.env = env;
        this.log = log;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), System.err));
    }

    /** Runs the loop; returns only when the runtime API fails or initialisation failed, with the exit status. */
    static int run(String[] args, Map<String, String> env, PrintStream log) {
        RuntimeApiClient api;
        try {
            api = new RuntimeApiClient(env.get(RUNTIME_API_ENV));
        } catch (IllegalArgumentException e) {
            log.println("faasx: " + e.getMessage() + " (this program runs inside a Lambda execution environment)");
            return 2;
        }
        LambdaRuntimeLoop loop = new LambdaRuntimeLoop(api, env, log);
        String spec = args.length > 0 ? args[0] : env.getOrDefault(LambdaJobHandler.HANDLER_ENV, javaHandler(env));
        Object handler;
        try {
            handler = create(spec);
        } catch (RuntimeException e) {
            return loop.initFailed(e);
        }
        try {
            if (handler instanceof RequestStreamHandler stream) {
                loop.serve(stream);
            } else {
                loop.serve(new JobInvocations((JobHandler) handler));
            }
            return 0;
        } catch (IOException e) {
            log.println("faasx: the Lambda runtime API failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Lambda's {@code _HANDLER} when it names a Java class (on provided runtimes it is often just "bootstrap"). */
    private static String javaHandler(Map<String, String> env) {
        String handler = env.get("_HANDLER");
        return handler != null && handler.contains(".") ? handler : null;
    }

    /** A RequestStreamHandler when the class is one, otherwise a JobHandler. */
    private static Object create(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no handler: pass the handler class as the argument or set "
                    + LambdaJobHandler.HANDLER_ENV);
        }
        int colons = spec.indexOf("::");
        String className = colons < 0 ? spec.strip() : spec.substring(0, colons).strip();
        if (colons >= 0 && !spec.substring(colons + 2).strip().equals("handleRequest")) {
            throw new IllegalArgumentException("handler " + spec + ": only RequestStreamHandler.handleRequest is"
                    + " supported");
        }
        Class<?> type;
        try {
            type = Class.forName(className, false, LambdaRuntimeLoop.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("handler class " + className + " cannot be loaded: " + e);
        }
        if (RequestStreamHandler.class.isAssignableFrom(type)) {
            return HandlerClasses.instantiate(className, RequestStreamHandler.class);
        }
        return HandlerClasses.jobHandler(className);
    }

    private int initFailed(RuntimeException e) {
        log.println("faasx: cannot initialise the function: " + e.getMessage());
        try {
            api.failInit("Runtime.HandlerNotCreated", e.getMessage(), null);
        } catch (IOException | InterruptedException reportFailed) {
            log.println("faasx: cannot report the initialisation error: " + reportFailed);
        }
        return 1;
    }

    private void serve(JobInvocations invocations) throws IOException, InterruptedException {
        while (true) {
            RuntimeApiClient.Event event = api.next();
            JobInvocations.Outcome outcome = invocations.handle(event.payload());
            if (outcome instanceof JobInvocations.Answer answer) {
                respond(event, answer.payload());
            } else {
                JobInvocations.Failure failure = (JobInvocations.Failure) outcome;
                if (failure.thrown() != null) {
                    log.println("faasx: request " + event.requestId() + " failed:");
                    failure.thrown().printStackTrace(log);
                }
                api.fail(event.requestId(), failure.errorType(), failure.errorMessage(), failure.thrown());
            }
        }
    }

    private void serve(RequestStreamHandler handler) throws IOException, InterruptedException {
        while (true) {
            RuntimeApiClient.Event event = api.next();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                handler.handleRequest(new ByteArrayInputStream(event.payload()), out,
                        new RuntimeContext(event, env, log));
            } catch (Exception | Error e) {
                log.println("faasx: request " + event.requestId() + " failed:");
                e.printStackTrace(log);
                String message = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
                String type = e instanceof JobFailedException jf ? jf.errorType() : e.getClass().getName();
                api.fail(event.requestId(), type, message, e);
                continue;
            }
            respond(event, out.toByteArray());
        }
    }

    /** Posts the answer; an answer the API refuses (for example over 6 MB) has already failed the invocation. */
    private void respond(RuntimeApiClient.Event event, byte[] payload) throws InterruptedException {
        try {
            api.respond(event.requestId(), payload);
        } catch (IOException e) {
            log.println("faasx: the answer to request " + event.requestId() + " was refused: " + e.getMessage());
        }
    }
}
