package dev.faasx.core.function;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.JobHandler;
import dev.faasx.core.JobOutput;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.function.internal.RequestLines;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hosts a {@link JobHandler} behind the function side of the spec: reads invoke requests, runs the handler, writes
 * invoke responses. {@link FunctionMain} uses it on stdin and stdout; adapters and tests can use it on any streams,
 * or one message at a time with {@link #answer(byte[])}.
 *
 * <p>What every answer guarantees:
 * <ul>
 *   <li>The handler receives the request's job id, bytes, metadata and call id (a generated one when the request has
 *       none). The response echoes the request's call id and carries the output's metadata.</li>
 *   <li>A handler that throws (or returns {@code null}) produces {@code success:false} with the exception's message
 *       as {@code error} and its class name as {@code error_type}; never a stack trace.</li>
 *   <li>A request that is not valid produces {@code success:false} naming the problem, with the job id when it could
 *       be read and 0 otherwise; a worker then goes on with the next line.</li>
 *   <li>{@code execution_ms} is the handler's run time measured here; no other figure is invented.</li>
 *   <li>The payload is answered in base64 exactly when the request used base64.</li>
 * </ul>
 *
 * <p>{@link #run} and {@link #answer} are thread-safe when the handler is. Each {@code serve} method uses its
 * streams from the calling thread only.
 *
 * <pre>{@code
 * FunctionHost host = FunctionHost.of(call -> JobOutput.of(call.body()));
 * host.serveOnce(new ByteArrayInputStream(requestJson), responseStream);   // spec v1: one request until EOF
 * host.serveAsWorker(processStdin, processStdout);                          // one request per line
 * }</pre>
 */
public final class FunctionHost {
    /** The line a persistent worker writes once it is ready for requests. */
    public static final String READY_LINE = "{\"faasx_worker\":\"ready\",\"protocol\":1}";

    private static final Logger LOG = LoggerFactory.getLogger(FunctionHost.class);
    private static final ErrorContext CONTEXT = ErrorContext.of("function");
    private static final byte[] READY = (READY_LINE + "\n").getBytes(StandardCharsets.US_ASCII);

    private final JobHandler handler;
    private final SpecCodec codec;

    private FunctionHost(JobHandler handler, SpecCodec codec) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    public static FunctionHost of(JobHandler handler) {
        return new FunctionHost(handler, SpecCodec.create());
    }

    /** A host that shares {@code codec} with other parts of the application. */
    public static FunctionHost of(JobHandler handler, SpecCodec codec) {
        return new FunctionHost(handler, codec);
    }

    /** Runs the handler for {@code request}; a handler failure becomes a failed response, never an exception. */
    public InvokeResponse run(InvokeRequest request) {
        InvokeResponse.Builder response = InvokeResponse.builder(request.jobId());
        request.callId().ifPresent(response::callId);
        long start = System.nanoTime();
        try {
            JobOutput output = handler.handle(request.toJobCall());
            if (output == null) {
                response.failure("the handler returned null instead of a JobOutput")
                        .errorType(NullPointerException.class.getName());
            } else {
                response.result(output.body()).metadata(output.metadata());
            }
        } catch (Throwable failure) {
            // Everything the handler throws, errors included, is the job's failure, reported to the caller; the
            // host itself stays healthy and a worker serves the next request.
            LOG.debug("handler failed for job {}", request.jobId(), failure);
            response.failure(messageOf(failure)).errorType(failure.getClass().getName());
        }
        return response.executionDuration(Duration.ofNanos(System.nanoTime() - start)).build();
    }

    /** Answers one encoded request with one encoded response; never throws, whatever {@code requestJson} holds. */
    public byte[] answer(byte[] requestJson) {
        Decoded<InvokeResponse> response = respond(requestJson);
        return codec.encodeResponse(response.value(), response.encoding());
    }

    /**
     * Spec v1 mode: reads one request from {@code in} until end of stream, writes one response (and a line feed) to
     * {@code out} and flushes it. Neither stream is closed.
     *
     * @throws IOException only when reading or writing the streams fails
     */
    public void serveOnce(InputStream in, OutputStream out) throws IOException {
        write(respond(in.readAllBytes()), out);
    }

    /**
     * Persistent-worker mode: writes {@link #READY_LINE}, then answers each line of {@code in} (one JSON request) with
     * one line on {@code out}, in order, flushing after each, until {@code in} ends. Blank lines are skipped.
     * Neither stream is closed.
     *
     * @throws IOException only when reading or writing the streams fails
     */
    public void serveAsWorker(InputStream in, OutputStream out) throws IOException {
        out.write(READY);
        out.flush();
        RequestLines lines = new RequestLines(in);
        byte[] line;
        while ((line = lines.next()) != null) {
            if (isBlank(line)) {
                continue;
            }
            write(respond(line), out);
        }
    }

    private Decoded<InvokeResponse> respond(byte[] requestJson) {
        Decoded<InvokeRequest> request;
        try {
            request = codec.decodeRequestWithEncoding(requestJson, CONTEXT);
        } catch (ProtocolException e) {
            LOG.debug("rejected a request: {}", e.reason());
            InvokeResponse failure = InvokeResponse.builder(e.jobId().orElse(0))
                    .failure(e.reason()).errorType(ProtocolException.class.getName()).build();
            return new Decoded<>(failure, PayloadEncoding.BYTE_ARRAY);
        }
        return new Decoded<>(run(request.value()), request.encoding());
    }

    private void write(Decoded<InvokeResponse> response, OutputStream out) throws IOException {
        codec.writeResponse(response.value(), response.encoding(), out);
        out.write('\n');
        out.flush();
    }

    private static String messageOf(Throwable failure) {
        String message = failure instanceof FaasException f ? f.reason() : failure.getMessage();
        return message == null || message.isBlank() ? failure.getClass().getName() : message;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
