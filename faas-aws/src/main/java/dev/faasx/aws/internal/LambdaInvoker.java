package dev.faasx.aws.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.aws.EventInvocation;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.internal.Throwables;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.LogType;
import software.amazon.awssdk.services.lambda.model.ResourceConflictException;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;
import software.amazon.awssdk.services.lambda.model.ResourceNotReadyException;

/**
 * Invokes job functions. The payload is the spec's invoke request JSON and the answer the spec's response JSON, so
 * the same function code runs on Lambda and everywhere else. A synchronous call asks for the log tail and reads
 * Lambda's {@code REPORT} line for the provider's own figures.
 *
 * <p>Thread-safe.
 */
public final class LambdaInvoker {
    /** Lambda's limit on a synchronous (RequestResponse) request payload. */
    public static final int MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
    /** Lambda's limit on an asynchronous (Event) request payload. */
    public static final int MAX_EVENT_PAYLOAD_BYTES = 1024 * 1024;
    private static final int MAX_ERROR_TEXT = 2000;

    private final LambdaApi api;
    private final String provider;
    private final FunctionNames names;
    private final KeepWarm keepWarm;
    private final SpecCodec codec;
    private final PayloadEncoding encoding;
    private final SdkPlugin retryPlugin;
    private final ObjectMapper json = new ObjectMapper();

    public LambdaInvoker(LambdaApi api, String provider, FunctionNames names, KeepWarm keepWarm, SpecCodec codec,
                         PayloadEncoding encoding, SdkPlugin retryPlugin) {
        this.api = api;
        this.provider = provider;
        this.names = names;
        this.keepWarm = keepWarm;
        this.codec = codec;
        this.encoding = encoding;
        this.retryPlugin = retryPlugin;
    }

    /**
     * Invokes synchronously and reads the answer and the REPORT line. A function that Lambda reports not ready
     * ({@code Inactive}, being restored, or still {@code Pending}) is waited for until it is Active, within the
     * deploy timeout, and invoked once more: the first call certainly did not run it. A keep-warm alias that has
     * gone since it was last read is dropped and {@code $LATEST} invoked instead.
     */
    public CompletableFuture<Invocation> invoke(JobCall call) {
        String name = names.functionName(call.jobId());
        ErrorContext ctx = context(call.jobId(), name);
        byte[] payload;
        try {
            payload = encode(call, MAX_SYNC_PAYLOAD_BYTES, "synchronous", ctx);
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
        long start = System.nanoTime();
        return keepWarm.qualifier(call.jobId(), name)
                .thenCompose(qualifier -> send(call, name, qualifier, payload, start, ctx)
                        .exceptionallyCompose(failure -> {
                            Throwable t = Throwables.unwrap(failure);
                            if (qualifier.isPresent() && t instanceof ResourceNotFoundException) {
                                keepWarm.forget(call.jobId());
                                return send(call, name, Optional.empty(), payload, start, ctx);
                            }
                            if (notActiveYet(t)) {
                                return api.waitUntilActive(name)
                                        .handle((active, waitFailure) -> null)
                                        .thenCompose(v -> send(call, name, qualifier, payload, start, ctx));
                            }
                            return CompletableFuture.failedFuture(t);
                        }))
                .handle((invocation, failure) -> {
                    if (failure != null) {
                        throw LambdaErrors.translate(failure, ctx, "invoke", true);
                    }
                    return invocation;
                });
    }

    private CompletableFuture<Invocation> send(JobCall call, String name, Optional<String> qualifier, byte[] payload,
                                               long start, ErrorContext ctx) {
        var request = request(name, qualifier, payload, InvocationType.REQUEST_RESPONSE);
        return api.call(c -> c.invoke(request), a -> a.invoke(request))
                .thenApply(response -> answer(call, response, Duration.ofNanos(System.nanoTime() - start), ctx));
    }

    /**
     * Whether Lambda refused the call because the function is not Active: {@code ResourceNotReadyException} (an
     * Inactive function) or {@code ResourceConflictException} naming its state (Pending).
     */
    static boolean notActiveYet(Throwable t) {
        if (t instanceof ResourceNotReadyException) {
            return true;
        }
        return t instanceof ResourceConflictException e && String.valueOf(e.getMessage())
                .contains("currently in the following state");
    }

    /** Queues an asynchronous (Event) invocation; completes once Lambda has accepted it. */
    public CompletableFuture<EventInvocation> invokeEvent(JobCall call) {
        String name = names.functionName(call.jobId());
        ErrorContext ctx = context(call.jobId(), name);
        byte[] payload;
        try {
            payload = encode(call, MAX_EVENT_PAYLOAD_BYTES, "asynchronous (Event)", ctx);
        } catch (FaasException e) {
            return CompletableFuture.failedFuture(e);
        }
        return keepWarm.qualifier(call.jobId(), name)
                .thenCompose(qualifier -> {
                    var request = request(name, qualifier, payload, InvocationType.EVENT);
                    return api.call(c -> c.invoke(request), a -> a.invoke(request));
                })
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw LambdaErrors.translate(failure, ctx, "queue an event for", false);
                    }
                    return new EventInvocation(call.jobId(), call.callId(), requestId(response));
                });
    }

    /**
     * Sends the warm-up ping synchronously. An environment that answered at all (even with a function error, as a
     * function not built on the faasx adapters would) has been started, so only a failed call fails.
     */
    public CompletableFuture<Void> ping(long jobId) {
        String name = names.functionName(jobId);
        ErrorContext ctx = context(jobId, name);
        return keepWarm.qualifier(jobId, name)
                .thenCompose(qualifier -> {
                    var request = request(name, qualifier, WarmUpPing.ping(), InvocationType.REQUEST_RESPONSE);
                    return api.call(c -> c.invoke(request), a -> a.invoke(request));
                })
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw LambdaErrors.translate(failure, ctx, "warm", false);
                    }
                    return null;
                });
    }

    private byte[] encode(JobCall call, int limit, String kind, ErrorContext ctx) {
        byte[] payload = codec.encodeRequest(InvokeRequest.from(call), encoding);
        if (payload.length > limit) {
            String hint = encoding == PayloadEncoding.BYTE_ARRAY
                    ? "; the v1 byte-array encoding takes up to 4 bytes per body byte, so switch the executor to"
                    + " PayloadEncoding.BASE64 (4 bytes per 3) or pass a reference to the data (for example an S3 key)"
                    : "; pass a reference to the data (for example an S3 key) instead of the data itself";
            String reason = "the " + kind + " invoke request for job " + call.jobId() + " is " + payload.length
                    + " bytes as JSON (body " + call.bodyLength() + " bytes), over Lambda's " + limit
                    + "-byte limit" + hint;
            throw new InvalidRequestException(reason, java.util.List.of(reason),
                    ctx.toBuilder().status(413).code("RequestTooLargeException").build(), null);
        }
        return payload;
    }

    private software.amazon.awssdk.services.lambda.model.InvokeRequest request(String name, Optional<String> qualifier,
                                                                              byte[] payload, InvocationType type) {
        var builder = software.amazon.awssdk.services.lambda.model.InvokeRequest.builder()
                .functionName(name)
                .invocationType(type)
                .payload(SdkBytes.fromByteArrayUnsafe(payload))
                .overrideConfiguration(o -> o.addPlugin(retryPlugin));
        if (type == InvocationType.REQUEST_RESPONSE) {
            builder.logType(LogType.TAIL);
        }
        qualifier.ifPresent(builder::qualifier);
        return builder.build();
    }

    private Invocation answer(JobCall call, software.amazon.awssdk.services.lambda.model.InvokeResponse response,
                              Duration total, ErrorContext base) {
        Optional<String> requestId = requestId(response);
        ErrorContext.Builder cb = base.toBuilder();
        requestId.ifPresent(cb::requestId);
        if (response.statusCode() != null) {
            cb.status(response.statusCode());
        }
        ErrorContext ctx = cb.build();
        byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArrayUnsafe();
        Optional<LambdaReport> report = LambdaReport.fromLogResult(response.logResult());
        if (response.functionError() != null) {
            throw functionError(payload, response.functionError(), ctx);
        }
        InvokeResponse answer = codec.decodeResponse(payload, ctx);
        if (answer.jobId() != call.jobId()) {
            throw new ProtocolException("the function answered for job " + answer.jobId() + " instead of job "
                    + call.jobId(), ctx);
        }
        if (answer.callId().isPresent() && !answer.callId().get().equals(call.callId())) {
            throw new ProtocolException("the function answered call " + answer.callId().get() + " instead of call "
                    + call.callId(), ctx);
        }
        if (!answer.success()) {
            throw new FunctionErrorException(answer.error().orElse("the function reported failure without a message"),
                    answer.errorType().orElse(null), ctx, null);
        }
        return new Invocation(answer.toJobOutput(), metrics(total, report, answer, requestId));
    }

    /**
     * The provider's REPORT figures where Lambda gave them; otherwise what faasx's code inside the function measured
     * and put in its response, labelled as reported by the function (never by the provider); the round trip as this
     * process measured it.
     */
    static InvocationMetrics metrics(Duration total, Optional<LambdaReport> report, InvokeResponse answer,
                                     Optional<String> requestId) {
        InvocationMetrics.Builder b = InvocationMetrics.builder()
                .executionDuration(Figure.reportedByFunctionOrUnknown(answer.executionDuration().orElse(null)))
                .initDuration(Figure.reportedByFunctionOrUnknown(answer.initDuration().orElse(null)))
                .coldStart(Figure.reportedByFunctionOrUnknown(answer.coldStart().orElse(null)))
                .memoryUsedMb(Figure.reportedByFunctionOrUnknown(answer.memoryUsedMb().isPresent()
                        ? answer.memoryUsedMb().getAsLong() : null))
                .totalDuration(Figure.measured(total))
                .requestId(requestId.orElse(null));
        report.ifPresent(r -> {
            r.duration().ifPresent(d -> b.executionDuration(Figure.reported(d)));
            r.billedDuration().ifPresent(d -> b.billedDuration(Figure.reported(d)));
            r.memorySizeMb().ifPresent(m -> b.memorySizeMb(Figure.reported(m)));
            r.maxMemoryUsedMb().ifPresent(m -> b.memoryUsedMb(Figure.reported(m)));
            b.initDuration(r.initDuration().or(r::restoreDuration).<Figure<Duration>>map(Figure::reported)
                    .orElse(Figure.unknown()));
            b.coldStart(Figure.reported(r.coldStart()));
        });
        return b.build();
    }

    /**
     * Lambda's error object ({@code errorMessage}, {@code errorType} and, from Java runtimes, {@code stackTrace}) as a
     * typed failure; the function's stack trace becomes the failure's cause.
     */
    private FaasException functionError(byte[] payload, String functionError, ErrorContext ctx) {
        String message = null;
        String type = null;
        JsonNode stackTrace = null;
        try {
            JsonNode node = json.readTree(payload);
            if (node != null && node.isObject()) {
                message = text(node.get("errorMessage"));
                type = text(node.get("errorType"));
                stackTrace = node.get("stackTrace");
            }
        } catch (IOException notJson) {
            // Not Lambda's error object: the raw text below is the best description there is.
        }
        if (message == null) {
            String raw = new String(payload, StandardCharsets.UTF_8).strip();
            message = raw.isEmpty() ? "the function failed (" + functionError + ") without a message"
                    : raw.length() > MAX_ERROR_TEXT ? raw.substring(0, MAX_ERROR_TEXT) + "..." : raw;
        }
        ErrorContext withCode = ctx.toBuilder().code(type == null ? functionError : type).build();
        if ("Sandbox.Timedout".equals(type) || message.contains("Task timed out after")) {
            return new FaasTimeoutException(message, null, withCode);
        }
        return new FunctionErrorException(message, type, withCode,
                FunctionStackTrace.of(String.valueOf(type), message, stackTrace));
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
    }

    private static Optional<String> requestId(software.amazon.awssdk.services.lambda.model.InvokeResponse r) {
        String id = r.responseMetadata() == null ? null : r.responseMetadata().requestId();
        return id == null || id.isEmpty() || "UNKNOWN".equals(id) ? Optional.empty() : Optional.of(id);
    }

    private ErrorContext context(long jobId, String name) {
        return ErrorContext.builder(provider).jobId(jobId).functionId(name).build();
    }
}
