package dev.faasx.digitalocean.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.Figure;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.Invocation;
import dev.faasx.core.InvocationMetrics;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobOutput;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.spec.InvokeResponse;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.SpecErrors;
import dev.faasx.digitalocean.Activation;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads OpenWhisk activation records: the provider's figures (duration, {@code initTime} exactly on cold starts,
 * {@code waitTime}, the memory limit) and its outcome, mapped per status: success → the function's answer; an
 * application error → {@link FunctionErrorException} (the job's own failure, as the bootstrap wrapper reports it);
 * an action developer error → {@link FaasTimeoutException} when the platform ended it for its time limit, else
 * {@link FunctionErrorException} typed {@code action developer error}; a whisk internal error →
 * {@link ProviderException}.
 */
public final class Activations {
    public static final String APPLICATION_ERROR = "application error";
    public static final String DEVELOPER_ERROR = "action developer error";
    private static final String TRUNCATED = "The action produced a response that exceeded the allowed length";
    private static final String TIMED_OUT = "The action exceeded its time limits";

    private final ObjectMapper json;
    private final SpecCodec codec;

    public Activations(ObjectMapper json, SpecCodec codec) {
        this.json = json;
        this.codec = codec;
    }

    /** The provider's figures of a record: its id, status code, duration and annotations. */
    public record Figures(String activationId, int statusCode, long durationMs, Long initMs, Long waitMs,
                           Long memoryMb, boolean timedOut) {
    }

    private static Figures figures(JsonNode r, ErrorContext ctx) {
        if (r == null || !r.isObject() || !r.path("activationId").isTextual() || !r.path("response").isObject()) {
            throw new ProtocolException("DigitalOcean answered something that is not an activation record", true,
                    ctx, null);
        }
        JsonNode response = r.get("response");
        int code = response.has("statusCode") ? response.path("statusCode").asInt(3) : codeOf(response);
        Long initTime = null;
        Long waitTime = null;
        Long memory = null;
        boolean timedOut = false;
        for (JsonNode a : r.path("annotations")) {
            JsonNode v = a.path("value");
            switch (a.path("key").asText()) {
                case "initTime" -> initTime = v.canConvertToLong() ? v.asLong() : null;
                case "waitTime" -> waitTime = v.canConvertToLong() ? v.asLong() : null;
                case "timeout" -> timedOut = v.asBoolean(false);
                case "limits" -> memory = v.path("memory").canConvertToLong() ? v.path("memory").asLong() : null;
                default -> { }
            }
        }
        return new Figures(r.get("activationId").asText(), code, Math.max(0, r.path("duration").asLong()),
                initTime, waitTime, memory, timedOut);
    }

    /** Reads a record; fails with a {@link ProtocolException} when it is not one. */
    public Activation read(JsonNode r, ErrorContext ctx) {
        Figures f = figures(r, ctx);
        JsonNode response = r.get("response");
        List<String> logs = new ArrayList<>();
        r.path("logs").forEach(l -> logs.add(l.asText()));
        return new Activation(f.activationId(), response.path("status").asText(word(f.statusCode())),
                f.statusCode(), Instant.ofEpochMilli(r.path("start").asLong()),
                Instant.ofEpochMilli(r.path("end").asLong()), Duration.ofMillis(f.durationMs()),
                Optional.ofNullable(f.initMs()).map(Duration::ofMillis),
                Optional.ofNullable(f.waitMs()).map(Duration::ofMillis),
                f.memoryMb() == null ? OptionalLong.empty() : OptionalLong.of(f.memoryMb()), f.timedOut(),
                response.path("result").toString(), logs);
    }

    /**
     * What one streaming pass over a record's bytes finds: its figures, where its {@code result} object lies in the
     * bytes, and whether that object has a {@code job_id}. Lets the successful path decode the result from the
     * original bytes, without building a tree of the record or writing the result out again.
     */
    public record Scan(Figures figures, int resultStart, int resultEnd, boolean resultHasJobId) {
    }

    /** Scans a record; {@code null} when the bytes are not an activation record. */
    public Scan scan(byte[] body) {
        try (JsonParser p = json.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            long duration = 0;
            Long init = null;
            Long wait = null;
            Long memory = null;
            boolean timedOut = false;
            int code = -1;
            String status = null;
            int start = -1;
            int end = -1;
            boolean hasJobId = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "activationId" -> id = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "duration" -> duration = value.isNumeric() ? Math.max(0, p.getLongValue()) : 0;
                    case "annotations" -> {
                        if (value != JsonToken.START_ARRAY) {
                            p.skipChildren();
                            break;
                        }
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            JsonNode a = json.readTree(p);
                            JsonNode v = a.path("value");
                            switch (a.path("key").asText()) {
                                case "initTime" -> init = v.canConvertToLong() ? v.asLong() : null;
                                case "waitTime" -> wait = v.canConvertToLong() ? v.asLong() : null;
                                case "timeout" -> timedOut = v.asBoolean(false);
                                case "limits" -> memory = v.path("memory").canConvertToLong()
                                        ? v.path("memory").asLong() : null;
                                default -> { }
                            }
                        }
                    }
                    case "response" -> {
                        if (value != JsonToken.START_OBJECT) {
                            return null;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken v = p.nextToken();
                            if (f.equals("statusCode") && v.isNumeric()) {
                                code = p.getIntValue();
                            } else if (f.equals("status") && v == JsonToken.VALUE_STRING) {
                                status = p.getText();
                            } else if (f.equals("result") && v == JsonToken.START_OBJECT) {
                                start = (int) p.currentTokenLocation().getByteOffset();
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    hasJobId |= p.currentName().equals("job_id");
                                    p.nextToken();
                                    p.skipChildren();
                                }
                                end = (int) p.currentTokenLocation().getByteOffset() + 1;
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (id == null || (code < 0 && status == null)) {
                return null;
            }
            if (code < 0) {
                code = codeOf(json.createObjectNode().put("status", status));
            }
            return new Scan(new Figures(id, code, duration, init, wait, memory, timedOut), start, end, hasJobId);
        } catch (IOException e) {
            return null;
        }
    }

    /** The invocation a scanned record describes: decoded from the bytes on success, else as {@link #toInvocation}. */
    public Invocation toInvocation(byte[] body, Scan scan, JobCall call, Duration total, Duration timeout,
                                   ErrorContext base) {
        Figures a = scan.figures();
        if (a.statusCode() != 0 || scan.resultStart() < 0 || !scan.resultHasJobId()) {
            try {
                return toInvocation(json.readTree(body), call, total, timeout, base);
            } catch (IOException e) {
                throw new ProtocolException("DigitalOcean answered an activation record that is not JSON", true,
                        base, e);
            }
        }
        ErrorContext ctx = base.toBuilder().requestId(a.activationId()).build();
        InvokeResponse decoded = codec.decodeResponse(java.util.Arrays.copyOfRange(body, scan.resultStart(),
                scan.resultEnd()), ctx);
        return spec(a, decoded, call, total, ctx);
    }

    /** The invocation a record describes, or the typed failure it stands for (thrown). */
    public Invocation toInvocation(JsonNode record, JobCall call, Duration total, Duration timeout, ErrorContext base) {
        Figures a = figures(record, base);
        ErrorContext ctx = base.toBuilder().requestId(a.activationId()).build();
        JsonNode result = record.path("response").path("result");
        switch (a.statusCode()) {
            case 0 -> {
                return success(a, result, call, total, ctx);
            }
            case 1 -> throw applicationError(result, ctx);
            case 2 -> throw developerError(a, result, timeout, ctx);
            default -> throw new ProviderException("DigitalOcean Functions failed the activation (whisk internal"
                    + " error): " + errorText(result), true, true, ctx.toBuilder().code("whisk internal error")
                    .build());
        }
    }

    private Invocation success(Figures a, JsonNode result, JobCall call, Duration total, ErrorContext ctx) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(result);
        } catch (IOException e) {
            throw new ProtocolException("cannot encode the activation's result", true, ctx, e);
        }
        if (result.has("job_id")) {
            return spec(a, codec.decodeResponse(bytes, ctx), call, total, ctx);
        }
        // A source-bundle action that does not speak the invoke JSON: its result object is the output.
        return new Invocation(JobOutput.of(bytes), provider(InvocationMetrics.builder(), a, total).build());
    }

    private Invocation spec(Figures a, InvokeResponse decoded, JobCall call, Duration total, ErrorContext ctx) {
        if (decoded.jobId() != call.jobId()) {
            throw new ProtocolException("the function answered for job " + decoded.jobId() + ", not "
                    + call.jobId(), true, ctx, null);
        }
        if (!decoded.success()) {
            throw SpecErrors.functionError(decoded, ctx);
        }
        return new Invocation(decoded.toJobOutput(), provider(decoded.reportedMetrics().toBuilder(), a, total)
                .build());
    }

    private static InvocationMetrics.Builder provider(InvocationMetrics.Builder metrics, Figures a, Duration total) {
        metrics.totalDuration(Figure.measured(total))
                .executionDuration(Figure.reported(Duration.ofMillis(a.durationMs())))
                .coldStart(Figure.reported(a.initMs() != null))
                .requestId(a.activationId());
        if (a.initMs() != null) {
            metrics.initDuration(Figure.reported(Duration.ofMillis(a.initMs())));
        }
        if (a.memoryMb() != null) {
            metrics.memorySizeMb(Figure.reported(a.memoryMb()));
        }
        return metrics;
    }

    private FaasException applicationError(JsonNode result, ErrorContext ctx) {
        JsonNode spec = result.path("faasx");
        if (spec.isObject() && spec.has("job_id")) {
            try {
                InvokeResponse decoded = codec.decodeResponse(json.writeValueAsBytes(spec), ctx);
                if (!decoded.success()) {
                    return SpecErrors.functionError(decoded, ctx);
                }
            } catch (IOException | FaasException e) {
                // not the wrapper's answer after all: report the error text below
            }
        }
        String text = errorText(result);
        if (text.startsWith(TRUNCATED)) {
            text = text + " (DigitalOcean Functions limits a result to 1 MB)";
        }
        return new FunctionErrorException(text, APPLICATION_ERROR, ctx.toBuilder().code(APPLICATION_ERROR).build(),
                null);
    }

    private FaasException developerError(Figures a, JsonNode result, Duration timeout, ErrorContext ctx) {
        String text = errorText(result);
        ErrorContext c = ctx.toBuilder().code(DEVELOPER_ERROR).build();
        if (a.timedOut() || text.startsWith(TIMED_OUT)) {
            return new FaasTimeoutException(text, timeout, c);
        }
        return new FunctionErrorException(text, DEVELOPER_ERROR, c, null);
    }

    private static String errorText(JsonNode result) {
        JsonNode error = result.path("error");
        if (error.isTextual()) {
            return error.asText();
        }
        return error.isMissingNode() ? "the activation failed without a message" : error.toString();
    }

    private static int codeOf(JsonNode response) {
        return switch (response.path("status").asText()) {
            case "success" -> 0;
            case APPLICATION_ERROR -> 1;
            case DEVELOPER_ERROR -> 2;
            default -> 3;
        };
    }

    private static String word(int code) {
        return switch (code) {
            case 0 -> "success";
            case 1 -> APPLICATION_ERROR;
            case 2 -> DEVELOPER_ERROR;
            default -> "whisk internal error";
        };
    }
}
