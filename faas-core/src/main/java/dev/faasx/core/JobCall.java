package dev.faasx.core;

import dev.faasx.core.internal.CallIds;
import dev.faasx.core.internal.Checks;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One call of a job: the job id, the input bytes, string metadata that travels with the call to wherever it runs
 * (and back, in the result), and a call id that ties the call to its {@link JobResult}.
 *
 * <p>Job ids are full 64-bit {@code long}s. The body is binary-safe: any bytes, including none. The body array is
 * copied on the way in and on the way out; {@link #bodyBuffer()} gives a read-only view without copying.
 *
 * <pre>{@code
 * JobCall call = JobCall.of(7, "hello".getBytes(UTF_8));
 * JobCall traced = JobCall.builder(7).body(bytes).metadata("trace-id", traceId).build();
 * }</pre>
 *
 * @param jobId    the job's numeric id
 * @param body     the input bytes (copied)
 * @param metadata string pairs carried with the call (copied, no nulls)
 * @param callId   unique id of this call; generated when not given
 */
public record JobCall(long jobId, byte[] body, Map<String, String> metadata, String callId) {

    private static final byte[] EMPTY = new byte[0];

    public JobCall {
        body = body == null || body.length == 0 ? EMPTY : body.clone();
        metadata = Checks.copyOfStrings(metadata, "metadata");
        Objects.requireNonNull(callId, "callId");
        if (callId.isEmpty()) {
            throw new IllegalArgumentException("callId must not be empty");
        }
    }

    /** A call with a generated call id and no metadata. */
    public static JobCall of(long jobId, byte[] body) {
        return new JobCall(jobId, body, Map.of(), CallIds.shared().next());
    }

    public static Builder builder(long jobId) {
        return new Builder(jobId);
    }

    /** A copy of the input bytes. */
    @Override
    public byte[] body() {
        return body.length == 0 ? EMPTY : body.clone();
    }

    /** A read-only view of the input bytes, without copying. */
    public ByteBuffer bodyBuffer() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    public int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobCall c && jobId == c.jobId && Arrays.equals(body, c.body)
                && metadata.equals(c.metadata) && callId.equals(c.callId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, Arrays.hashCode(body), metadata, callId);
    }

    @Override
    public String toString() {
        return "JobCall[jobId=" + jobId + ", callId=" + callId + ", body=" + body.length + " bytes, metadata="
                + metadata.keySet() + "]";
    }

    /** Builds a {@link JobCall}. Not thread-safe. */
    public static final class Builder {
        private final long jobId;
        private byte[] body = EMPTY;
        private final java.util.LinkedHashMap<String, String> metadata = new java.util.LinkedHashMap<>();
        private String callId;

        private Builder(long jobId) {
            this.jobId = jobId;
        }

        public Builder body(byte[] value) {
            this.body = Objects.requireNonNull(value, "body");
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder metadata(Map<String, String> values) {
            values.forEach(this::metadata);
            return this;
        }

        /** Sets the call id; when not set, a unique one is generated. */
        public Builder callId(String value) {
            this.callId = Objects.requireNonNull(value, "callId");
            return this;
        }

        public JobCall build() {
            return new JobCall(jobId, body, metadata, callId == null ? CallIds.shared().next() : callId);
        }
    }
}
