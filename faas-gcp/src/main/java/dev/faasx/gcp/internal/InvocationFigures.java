package dev.faasx.gcp.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import java.net.http.HttpHeaders;
import java.time.Duration;

/**
 * Turns a function's answer into an {@link Invocation}: the client's round trip as measured, the adapter's figures
 * as reported by the function, the configured memory as the provider describes it.
 */
public final class InvocationFigures {
    private InvocationFigures() {
    }

    /** The invocation for a decoded answer, or the job's failure as a {@link FunctionErrorException}. */
    public static Invocation invocation(InvokeResponse response, Duration total, String requestId, long memoryMb,
                                        ErrorContext ctx) {
        if (!response.success()) {
            throw new FunctionErrorException(response.error().orElse("the function failed without a message"),
                    response.errorType().orElse(null), ctx, null);
        }
        InvocationMetrics.Builder metrics = InvocationMetrics.builder()
                .totalDuration(Figure.measured(total))
                .executionDuration(Figure.reportedByFunctionOrUnknown(response.executionDuration().orElse(null)))
                .coldStart(Figure.reportedByFunctionOrUnknown(response.coldStart().orElse(null)))
                .requestId(requestId);
        boolean warm = response.coldStart().filter(cold -> !cold).isPresent();
        if (!warm) {
            metrics.initDuration(Figure.reportedByFunctionOrUnknown(response.initDuration().orElse(null)));
        }
        if (response.memoryUsedMb().isPresent()) {
            metrics.memoryUsedMb(Figure.reportedByFunction(response.memoryUsedMb().getAsLong()));
        }
        if (memoryMb > 0) {
            metrics.memorySizeMb(Figure.reported(memoryMb));
        }
        return new Invocation(response.toJobOutput(), metrics.build());
    }

    /** Google's request id: the {@code Function-Execution-Id} header, or the trace id of the trace header. */
    public static String requestId(HttpHeaders headers) {
        String id = headers.firstValue(FunctionCaller.EXECUTION_ID).orElse(null);
        if (id == null) {
            id = headers.firstValue("X-Cloud-Trace-Context").map(v -> v.split("[/;]", 2)[0]).orElse(null);
        }
        return id == null || id.isBlank() || id.length() > 200 ? null : id.strip();
    }

    /** The adapter's answer to a request it could not read (HTTP 400). */
    public static FaasException protocolFailure(SpecCodec codec, byte[] body, ErrorContext ctx) {
        String reason;
        try {
            reason = codec.decodeResponse(body, ctx).error().orElse("the function could not read the request");
        } catch (ProtocolException e) {
            reason = "the function refused the request with HTTP 400";
        }
        return new ProtocolException("the function could not read the invoke request: " + reason, false,
                ctx.toBuilder().status(400).build(), null);
    }
}
