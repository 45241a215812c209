package dev.faasx.core;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Where a {@link FaasException} happened: the provider, the job and function, the provider's request id, the
 * HTTP or provider status and the provider's own error code. Every field but the provider is optional.
 *
 * <pre>{@code
 * ErrorContext ctx = ErrorContext.builder("aws-lambda").jobId(7).requestId(id).status(429).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class ErrorContext implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    private final String provider;
    private final Long jobId;
    private final String functionId;
    private final String requestId;
    private final Integer status;
    private final String code;

    private ErrorContext(Builder b) {
        this.provider = b.provider;
        this.jobId = b.jobId;
        this.functionId = b.functionId;
        this.requestId = b.requestId;
        this.status = b.status;
        this.code = b.code;
    }

    /** A context that names only the provider. */
    public static ErrorContext of(String provider) {
        return builder(provider).build();
    }

    /** A context that names the provider and the job. */
    public static ErrorContext of(String provider, long jobId) {
        return builder(provider).jobId(jobId).build();
    }

    public static Builder builder(String provider) {
        return new Builder(provider);
    }

    /** A builder that starts from this context, for adding what a caller further up knows. */
    public Builder toBuilder() {
        Builder b = new Builder(provider);
        b.jobId = jobId;
        b.functionId = functionId;
        b.requestId = requestId;
        b.status = status;
        b.code = code;
        return b;
    }

    /** The provider's name, as {@link FaasExecutor#providerName()} gives it ({@code "local"} for local runs). */
    public String provider() {
        return provider;
    }

    public OptionalLong jobId() {
        return jobId == null ? OptionalLong.empty() : OptionalLong.of(jobId);
    }

    public Optional<String> functionId() {
        return Optional.ofNullable(functionId);
    }

    public Optional<String> requestId() {
        return Optional.ofNullable(requestId);
    }

    /** The HTTP status (or the provider's numeric status) that came with the error. */
    public OptionalInt status() {
        return status == null ? OptionalInt.empty() : OptionalInt.of(status);
    }

    /** The provider's error code, for example {@code TooManyRequestsException} or {@code FUNCTION_NOT_FOUND}. */
    public Optional<String> code() {
        return Optional.ofNullable(code);
    }

    String describe() {
        StringBuilder sb = new StringBuilder("provider=").append(provider);
        if (jobId != null) {
            sb.append(", job=").append(jobId);
        }
        if (functionId != null) {
            sb.append(", function=").append(functionId);
        }
        if (status != null) {
            sb.append(", status=").append(status);
        }
        if (code != null) {
            sb.append(", code=").append(code);
        }
        if (requestId != null) {
            sb.append(", requestId=").append(requestId);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ErrorContext c && provider.equals(c.provider) && Objects.equals(jobId, c.jobId)
                && Objects.equals(functionId, c.functionId) && Objects.equals(requestId, c.requestId)
                && Objects.equals(status, c.status) && Objects.equals(code, c.code);
    }

    @Override
    public int hashCode() {
        return Objects.hash(provider, jobId, functionId, requestId, status, code);
    }

    @Override
    public String toString() {
        return "ErrorContext[" + describe() + "]";
    }

    /** Builds an {@link ErrorContext}. Not thread-safe. */
    public static final class Builder {
        private final String provider;
        private Long jobId;
        private String functionId;
        private String requestId;
        private Integer status;
        private String code;

        private Builder(String provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
        }

        public Builder jobId(long value) {
            this.jobId = value;
            return this;
        }

        public Builder functionId(String value) {
            this.functionId = value;
            return this;
        }

        public Builder requestId(String value) {
            this.requestId = value;
            return this;
        }

        public Builder status(int value) {
            this.status = value;
            return this;
        }

        public Builder code(String value) {
            this.code = value;
            return this;
        }

        public ErrorContext build() {
            return new ErrorContext(this);
        }
    }
}
