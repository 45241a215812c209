package dev.faasx.core.spec;

import dev.faasx.core.JobCall;
import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The body of an invocation: what a client POSTs to {@code /api/functions/{id}/invoke} and what a function reads on
 * stdin.
 *
 * <p>On the wire (spec v1): {@code {"job_id":7,"args":[104,105]}}. Extensions, all optional:
 * {@code "call_id":"..."}, {@code "metadata":{"k":"v"}}, and {@code "args_base64":"aGk="} instead of {@code args}
 * when the sender chooses {@link PayloadEncoding#BASE64}. A v1 request decodes with no call id and empty metadata.
 *
 * <p>Immutable and thread-safe; the payload is copied in and out.
 *
 * <pre>{@code
 * InvokeRequest request = InvokeRequest.from(JobCall.of(7, "hi".getBytes(UTF_8)));
 * byte[] json = codec.encodeRequest(request, PayloadEncoding.BASE64);
 * }</pre>
 *
 * @param jobId    the job id, a full 64-bit value
 * @param args     the input bytes (binary-safe, possibly empty)
 * @param callId   the caller's id for this call, when it sent one (never empty)
 * @param metadata string pairs that travel with the call
 */
public record InvokeRequest(long jobId, byte[] args, Optional<String> callId, Map<String, String> metadata) {

    private static final byte[] EMPTY = new byte[0];

    public InvokeRequest {
        args = args == null || args.length == 0 ? EMPTY : args.clone();
        callId = callId == null ? Optional.empty() : callId;
        if (callId.isPresent() && callId.get().isEmpty()) {
            throw new IllegalArgumentException("callId must not be empty when present");
        }
        metadata = Checks.copyOfStrings(metadata, "metadata");
    }

    /** A v1 request: job id and bytes, no call id, no metadata. */
    public static InvokeRequest of(long jobId, byte[] args) {
        return new InvokeRequest(jobId, args, Optional.empty(), Map.of());
    }

    /** The request for {@code call}: its job id, body, call id and metadata. */
    public static InvokeRequest from(JobCall call) {
        return new InvokeRequest(call.jobId(), call.body(), Optional.of(call.callId()), call.metadata());
    }

    /** The call this request describes; a call id is generated when the request carries none. */
    public JobCall toJobCall() {
        JobCall.Builder builder = JobCall.builder(jobId).body(args).metadata(metadata);
        callId.ifPresent(builder::callId);
        return builder.build();
    }

    /** A copy of the input bytes. */
    @Override
    public byte[] args() {
        return args.length == 0 ? EMPTY : args.clone();
    }

    /** A read-only view of the input bytes, without copying. */
    public ByteBuffer argsBuffer() {
        return ByteBuffer.wrap(args).asReadOnlyBuffer();
    }

    public int argsLength() {
        return args.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InvokeRequest r && jobId == r.jobId && Arrays.equals(args, r.args)
                && callId.equals(r.callId) && metadata.equals(r.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, Arrays.hashCode(args), callId, metadata);
    }

    @Override
    public String toString() {
        return "InvokeRequest[jobId=" + jobId + ", args=" + args.length + " bytes, callId=" + callId.orElse("-")
                + ", metadata=" + metadata.keySet() + "]";
    }
}
