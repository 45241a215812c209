package dev.faasx.aws.function.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.function.FunctionHost;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import java.util.Objects;

/**
 * Answers one Lambda event for a {@link JobHandler}: the event is the spec's invoke request JSON, a success is the
 * spec's response JSON (in the encoding the request used), and a failure is reported the Lambda way (as a function
 * error with a type and message), so that Lambda counts it, retries asynchronous events, and the caller gets
 * {@code X-Amz-Function-Error}. The warm-up ping is answered without running the handler.
 *
 * <p>Thread-safe when the handler is.
 */
public final class JobInvocations {
    private static final ErrorContext CONTEXT = ErrorContext.of("aws-lambda-function");

    /** What one event produced. */
    public sealed interface Outcome permits Answer, Failure {
    }

    /** Bytes to return as the invocation's response. */
    public record Answer(byte[] payload) implements Outcome {
    }

    /**
     * The job failed: {@code errorType} and {@code errorMessage} for Lambda, and the handler's own exception when
     * there was one (the managed Java runtime reports exceptions itself).
     */
    public record Failure(String errorType, String errorMessage, Throwable thrown) implements Outcome {
    }

    private final SpecCodec codec = SpecCodec.create();
    private final FunctionHost host;
    private final ThreadLocal<Throwable> thrown = new ThreadLocal<>();

    public JobInvocations(JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        this.host = FunctionHost.of(call -> capture(handler, call), codec);
    }

    public Outcome handle(byte[] event) {
        if (WarmUpPing.isPing(event)) {
            return new Answer(WarmUpPing.pong());
        }
        Decoded<InvokeRequest> request;
        try {
            request = codec.decodeRequestWithEncoding(event, CONTEXT);
        } catch (ProtocolException e) {
            return new Failure(ProtocolException.class.getName(), "the event is not a faasx invoke request: "
                    + e.reason(), null);
        }
        thrown.remove();
        InvokeResponse response = host.run(request.value());
        Throwable failure = thrown.get();
        thrown.remove();
        if (failure != null) {
            return new Failure(failure.getClass().getName(), message(failure), failure);
        }
        if (!response.success()) {
            return new Failure(response.errorType().orElse("JobFailed"),
                    response.error().orElse("the job failed without a message"), null);
        }
        return new Answer(codec.encodeResponse(response, request.encoding()));
    }

    private JobOutput capture(JobHandler handler, JobCall call) throws Exception {
        try {
            return handler.handle(call);
        } catch (Exception | Error e) {
            thrown.set(e);
            throw e;
        }
    }

    private static String message(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getName() : message;
    }
}
