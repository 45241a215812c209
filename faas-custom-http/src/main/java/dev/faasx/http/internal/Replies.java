package dev.faasx.http.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasConfig;
import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasHealth;
import dev.faasx.core.Figure;
import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.Invocation;
import dev.faasx.core.JobCall;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.DeployResponse;
import dev.faasx.core.spec.ErrorBody;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.FunctionInfo;
import dev.faasx.core.spec.HealthResponse;
import dev.faasx.core.spec.InvokeRequest;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.PayloadEncoding;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the platform's answers with the shared wire model ({@link SpecCodec}, {@link SpecErrors}) and turns them
 * into the executor's results: a value for an answer that means success, a typed exception for everything else.
 * Thread-safe.
 */
public final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);

    private final SpecCodec codec = SpecCodec.create();
    private final String provider;

    public Replies(String provider) {
        this.provider = provider;
    }

    /** The JSON of an invoke request in the chosen payload encoding. */
    public byte[] encode(InvokeRequest request, PayloadEncoding encoding, ErrorContext context) {
        return codec.encodeRequest(request, encoding);
    }

    /** The {@code X-Blueprint-Config} value for {@code config}, or an error naming the bad provider option. */
    public String configHeader(FaasConfig config, ErrorContext context) {
        try {
            return DeployConfig.from(config).toHeader();
        } catch (InvalidRequestException e) {
            throw new InvalidRequestException(e.reason(), e.violations(), context, e);
        }
    }

    /** A successful invocation, or the typed failure the answer stands for. */
    public Invocation invocation(HttpTransport.Reply reply, JobCall call, ErrorContext context, Duration timeout,
                                 long startNanos) {
        ErrorContext ctx = withStatus(context, reply.status());
        if (!isSuccess(reply.status())) {
            throw failure(reply, ctx);
        }
        InvokeResponse response = codec.decodeResponse(reply.body(), ctx);
        if (!response.success()) {
            throw SpecErrors.functionError(response, ctx);
        }
        if (response.jobId() != call.jobId()) {
            throw new ProtocolException("the platform answered for job " + response.jobId() + " instead of job "
                    + call.jobId(), true, ctx, null);
        }
        if (response.callId().isPresent() && !response.callId().get().equals(call.callId())) {
            throw new ProtocolException("the platform answered call " + response.callId().get() + " instead of "
                    + call.callId(), true, ctx, null);
        }
        Duration total = Duration.ofNanos(System.nanoTime() - startNanos);
        return new Invocation(response.toJobOutput(),
                response.reportedMetrics().toBuilder().totalDuration(Figure.measured(total)).build());
    }

    /** What a successful deploy answered, as a {@link FaasDeployment}. */
    public FaasDeployment deployed(HttpTransport.Reply reply, long jobId, URI endpoint, FaasConfig config,
                                   long packageSize, ErrorContext context) {
        ErrorContext ctx = withStatus(context, reply.status());
        if (!isSuccess(reply.status())) {
            throw failure(reply, ctx);
        }
        DeployResponse r = codec.decodeDeployResponse(reply.body(), ctx);
        requireSameFunction(r.functionId(), ctx);
        return FaasDeployment.builder(r.functionId(), jobId, provider)
                .endpoint(endpoint)
                .memoryMb(r.memoryMb().orElse(config.memoryMb()))
                .timeout(r.timeout().orElse(config.timeout()))
                .packageSizeBytes(packageSize)
                .coldStart(Figure.reportedOrUnknown(r.coldStart().orElse(null)))
                .build();
    }

    /** What describe answered, as a {@link FaasDeployment}. */
    public FaasDeployment described(HttpTransport.Reply reply, long jobId, URI endpoint, ErrorContext context) {
        ErrorContext ctx = withStatus(context, reply.status());
        if (!isSuccess(reply.status())) {
            throw failure(reply, ctx);
        }
        FunctionInfo info = codec.decodeFunctionInfo(reply.body(), ctx);
        requireSameFunction(info.functionId(), ctx);
        DeployResponse r = info.deployment();
        FaasDeployment.Builder b = FaasDeployment.builder(info.functionId(), jobId, provider).endpoint(endpoint)
                .coldStart(Figure.reportedOrUnknown(r.coldStart().orElse(null)));
        r.memoryMb().ifPresent(b::memoryMb);
        r.timeout().ifPresent(b::timeout);
        info.deployedAt().ifPresent(b::deployedAt);
        info.binarySizeBytes().ifPresent(b::packageSizeBytes);
        return b.build();
    }

    /** Healthy on 2xx, unhealthy on 503 {@code "status":"unhealthy"} (or code {@code UNHEALTHY}), else an error. */
    public FaasHealth health(HttpTransport.Reply reply, ErrorContext context) {
        ErrorContext ctx = withStatus(context, reply.status());
        if (isSuccess(reply.status())) {
            HealthResponse h = codec.decodeHealthResponse(reply.body(), ctx);
            return h.isHealthy() ? FaasHealth.ok()
                    : FaasHealth.failing(h.error().orElse("the platform reports status " + h.status()));
        }
        if (reply.status() == 503) {
            Optional<String> why = unhealthyReason(reply.body(), ctx);
            if (why.isPresent()) {
                return FaasHealth.failing(why.get());
            }
        }
        throw failure(reply, ctx);
    }

    /** Nothing on success or when the platform does not implement warming; an error otherwise. */
    public void warmed(HttpTransport.Reply reply, ErrorContext context) {
        ErrorContext ctx = withStatus(context, reply.status());
        int status = reply.status();
        if (isSuccess(status)) {
            if (log.isDebugEnabled()) {
                try {
                    log.debug("warmed {}: {} instances", ctx.functionId().orElse("?"),
                            codec.decodeWarmResponse(reply.body(), ctx).instancesWarmed());
                } catch (ProtocolException e) {
                    log.debug("warmed {}; the answer did not say how many instances: {}",
                            ctx.functionId().orElse("?"), e.reason());
                }
            }
            return;
        }
        if (status == 405 || status == 501 || (status == 404 && !namesMissingFunction(reply.body(), ctx))) {
            log.debug("the platform does not support warming (status {}); nothing to do", status);
            return;
        }
        throw failure(reply, ctx);
    }

    /** Nothing when the function is gone (2xx or 404); an error otherwise. */
    public void requireDeleted(HttpTransport.Reply reply, ErrorContext context) {
        if (!isSuccess(reply.status()) && reply.status() != 404) {
            throw failure(reply, withStatus(context, reply.status()));
        }
    }

    /** The typed exception a non-success answer stands for. */
    public FaasException failure(HttpTransport.Reply reply, ErrorContext ctx) {
        int status = reply.status();
        if (status >= 300 && status < 400) {
            String location = reply.headers().firstValue("Location").orElse("(no Location)");
            return new ProviderException("the platform answered with a redirect (status " + status + ") to "
                    + location + "; configure the executor with the final URL", false, false, ctx);
        }
        return SpecErrors.toException(status, reply.body(), reply.headers().firstValue("Retry-After"), ctx);
    }

    /** The reason of a v1 unhealthy answer or of an error body with code {@code UNHEALTHY}; empty for others. */
    private Optional<String> unhealthyReason(byte[] body, ErrorContext ctx) {
        try {
            HealthResponse h = codec.decodeHealthResponse(body, ctx);
            if (!h.isHealthy()) {
                return Optional.of(h.error().orElse("the platform reports the function " + h.status()));
            }
        } catch (ProtocolException notAHealthAnswer) {
            // An error body rather than a health answer: decided by its code below.
        }
        return errorBody(body, ctx).filter(b -> b.errorCode().filter(c -> c == ErrorCode.UNHEALTHY).isPresent())
                .map(ErrorBody::error);
    }

    /** Whether a 404 is about the function (v1 names it, faasx adds the code) rather than an unknown route. */
    private boolean namesMissingFunction(byte[] body, ErrorContext ctx) {
        return errorBody(body, ctx).map(b -> b.errorCode().filter(c -> c == ErrorCode.FUNCTION_NOT_FOUND).isPresent()
                || b.details().containsKey("function_id")).orElse(false);
    }

    private Optional<ErrorBody> errorBody(byte[] body, ErrorContext ctx) {
        try {
            return Optional.of(codec.decodeErrorBody(body, ctx));
        } catch (ProtocolException e) {
            return Optional.empty();
        }
    }

    private static void requireSameFunction(String answered, ErrorContext ctx) {
        String asked = ctx.functionId().orElse(answered);
        if (!asked.equals(answered)) {
            throw new ProtocolException("the platform answered for function " + answered + " instead of " + asked,
                    true, ctx, null);
        }
    }

    private static boolean isSuccess(int status) {
        return status >= 200 && status < 300;
    }

    private static ErrorContext withStatus(ErrorContext context, int status) {
        return context.toBuilder().status(status).build();
    }
}
