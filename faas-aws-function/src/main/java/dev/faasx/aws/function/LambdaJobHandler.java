package dev.faasx.aws.function;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.faasx.aws.function.internal.HandlerClasses;
import dev.faasx.aws.function.internal.JobInvocations;
import dev.faasx.core.JobHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Runs a faasx {@link JobHandler} on Lambda's managed Java runtimes ({@code java17}, {@code java21}). Set the
 * function's handler to {@code dev.faasx.aws.function.LambdaJobHandler::handleRequest} and the environment variable
 * {@value #HANDLER_ENV} to the {@code JobHandler} class; {@code LambdaExecutor} does both when it deploys a
 * {@code FunctionPackage.Jar}. Or subclass it with a no-argument constructor that passes the handler:
 *
 * <pre>{@code
 * public final class ResizeOnLambda extends LambdaJobHandler {
 *     public ResizeOnLambda() {
 *         super(new Resize());
 *     }
 * }
 * }</pre>
 *
 * <p>The event is the spec's invoke request JSON; the answer is the spec's response JSON. A job that fails rethrows
 * its exception, so Lambda reports it as a function error (type and message), counts it and retries asynchronous
 * events. The handler is created once, when Lambda initialises the environment, and serves every event of that
 * environment. Thread-safe when the job handler is; Lambda calls it one event at a time.
 */
public class LambdaJobHandler implements RequestStreamHandler {
    /** The environment variable naming the {@code JobHandler} class. */
    public static final String HANDLER_ENV = "FAASX_HANDLER";

    private final JobInvocations invocations;

    /** Loads the {@code JobHandler} class named by {@value #HANDLER_ENV}. */
    public LambdaJobHandler() {
        this(loadFromEnvironment());
    }

    /** Runs {@code handler}. */
    public LambdaJobHandler(JobHandler handler) {
        this.invocations = new JobInvocations(handler);
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JobInvocations.Outcome outcome = invocations.handle(input.readAllBytes());
        if (outcome instanceof JobInvocations.Answer answer) {
            output.write(answer.payload());
            return;
        }
        JobInvocations.Failure failure = (JobInvocations.Failure) outcome;
        if (failure.thrown() != null) {
            throw LambdaJobHandler.<RuntimeException>rethrow(failure.thrown());
        }
        throw new JobFailedException(failure.errorType(), failure.errorMessage());
    }

    /** Rethrows the job's own exception unchanged, checked or not, so Lambda reports its real type. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T rethrow(Throwable thrown) throws T {
        throw (T) thrown;
    }

    private static JobHandler loadFromEnvironment() {
        String name = System.getenv(HANDLER_ENV);
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("set the environment variable " + HANDLER_ENV
                    + " to the JobHandler class this function runs");
        }
        return HandlerClasses.jobHandler(name);
    }
}
