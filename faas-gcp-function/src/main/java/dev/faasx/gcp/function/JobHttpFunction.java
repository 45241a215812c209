package dev.faasx.gcp.function;

import com.google.cloud.functions.HttpFunction;
import com.google.cloud.functions.HttpRequest;
import com.google.cloud.functions.HttpResponse;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.JobHandler;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.function.FunctionHost;
import dev.faasx.core.spec.Decoded;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.gcp.function.internal.HandlerClasses;
import dev.faasx.gcp.function.internal.RequestBodies;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a faasx {@link JobHandler} as a Google Cloud Functions HTTP function (the {@code HttpFunction} of Google's
 * Functions Framework, on the {@code java17} and {@code java21} runtimes). Make it the function's entry point and
 * set the environment variable {@value #HANDLER_ENV} to the {@code JobHandler} class; {@code CloudFunctionsExecutor}
 * does both when it deploys a {@code FunctionPackage.Jar}. Or subclass it with a public no-argument constructor that
 * passes the handler, and make the subclass the entry point:
 *
 * <pre>{@code
 * public final class ResizeFunction extends JobHttpFunction {
 *     public ResizeFunction() {
 *         super(new Resize());
 *     }
 * }
 * }</pre>
 *
 * <p>A {@code POST} carries the spec's invoke request JSON and gets the spec's response JSON, in the payload encoding
 * the request used, with status 200 whether the job succeeded or not: a handler that throws answers
 * {@code success:false} with the exception's message and class name, never a stack trace. A request that is not
 * valid JSON of the spec gets status 400 with a failed response naming the problem. The answer carries what this
 * adapter measured: {@code execution_ms} (the handler's run time) and {@code cold_start} (whether this was the first
 * request this instance served). No init time is reported: the Functions Framework creates this class when the
 * instance starts, which may be long before the first request (at deployment, or for min instances), so the time it
 * took is not part of any call. A {@code GET}, or a request with the header {@value #WARM_UP_HEADER}, runs no job and answers
 * {@code {"faasx":"ready"}}: health checks and warm-up calls.
 *
 * <p>The Functions Framework creates one instance per function instance and calls it from many threads at once;
 * this class is thread-safe when the job handler is.
 */
public class JobHttpFunction implements HttpFunction {
    /** The environment variable naming the {@code JobHandler} class. */
    public static final String HANDLER_ENV = "FAASX_HANDLER";
    /** A request with this header (any value) is a warm-up call: it starts the instance and runs no job. */
    public static final String WARM_UP_HEADER = "X-Faasx-Warm-Up";
    /** The largest request body read: Cloud Functions' own limit for HTTP requests is 32 MiB. */
    public static final int MAX_REQUEST_BYTES = 32 * 1024 * 1024;

    private static final ErrorContext CONTEXT = ErrorContext.of("gcp-function");
    private static final byte[] READY = "{\"faasx\":\"ready\"}".getBytes(StandardCharsets.US_ASCII);

    private final FunctionHost host;
    private final SpecCodec codec;
    private final AtomicBoolean served = new AtomicBoolean();

    /** Loads and creates the {@code JobHandler} class named by {@value #HANDLER_ENV}. */
    public JobHttpFunction() {
        this(HandlerClasses.jobHandler(System.getenv(HANDLER_ENV), HANDLER_ENV));
    }

    /** Runs {@code handler}. */
    protected JobHttpFunction(JobHandler handler) {
        this.codec = SpecCodec.create();
        this.host = FunctionHost.of(handler, codec);
    }

    @Override
    public void service(HttpRequest request, HttpResponse response) throws IOException {
        boolean cold = served.compareAndSet(false, true);
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        if (method.equals("GET") || request.getFirstHeader(WARM_UP_HEADER).isPresent()) {
            write(response, 200, READY);
            return;
        }
        if (!method.equals("POST")) {
            response.appendHeader("Allow", "GET, POST");
            write(response, 405, codec.encodeResponse(InvokeResponse.failure(0,
                    "method " + method + " is not allowed: POST an invoke request")));
            return;
        }
        byte[] body = RequestBodies.read(request.getInputStream(), MAX_REQUEST_BYTES);
        if (body == null) {
            write(response, 413, codec.encodeResponse(InvokeResponse.failure(0,
                    "the request body is larger than " + MAX_REQUEST_BYTES + " bytes")));
            return;
        }
        Decoded<InvokeRequest> decoded;
        try {
            decoded = codec.decodeRequestWithEncoding(body, CONTEXT);
        } catch (ProtocolException e) {
            InvokeResponse failure = InvokeResponse.builder(e.jobId().orElse(0)).failure(e.reason())
                    .errorType(ProtocolException.class.getName()).build();
            write(response, 400, codec.encodeResponse(failure));
            return;
        }
        InvokeResponse answer = host.run(decoded.value()).toBuilder().coldStart(cold).build();
        write(response, 200, codec.encodeResponse(answer, decoded.encoding()));
    }

    private static void write(HttpResponse response, int status, byte[] json) throws IOException {
        response.setStatusCode(status);
        response.setContentType("application/json");
        try (OutputStream out = response.getOutputStream()) {
            out.write(json);
        }
    }

}
