package dev.faasx.core.spec;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The answer to a successful deploy, {@code PUT /api/functions/{id}}: spec v1
 * {@code {"function_id","endpoint","status":"deployed","cold_start_ms","memory_mb","timeout_secs"}}.
 *
 * <p>Only {@code function_id} and {@code status} are required when decoding; a figure the server did not send is
 * empty, never defaulted. Immutable and thread-safe.
 *
 * <pre>{@code
 * DeployResponse deployed = DeployResponse.builder("job7")
 *     .endpoint(URI.create("http://127.0.0.1:8080/api/functions/job7/invoke"))
 *     .memoryMb(512).timeout(Duration.ofSeconds(300)).build();
 * }</pre>
 *
 * @param functionId the deployed function's id
 * @param endpoint   where to invoke it
 * @param status     {@code "deployed"} for spec servers
 * @param coldStart  how long the platform took to make it runnable ({@code cold_start_ms})
 * @param memoryMb   configured memory ({@code memory_mb})
 * @param timeout    configured timeout ({@code timeout_secs})
 */
public record DeployResponse(String functionId, Optional<URI> endpoint, String status, Optional<Duration> coldStart,
                             OptionalLong memoryMb, Optional<Duration> timeout) {

    /** The status of a deployed function. */
    public static final String DEPLOYED = "deployed";

    public DeployResponse {
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(status, "status");
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        coldStart = coldStart == null ? Optional.empty() : coldStart;
        memoryMb = memoryMb == null ? OptionalLong.empty() : memoryMb;
        timeout = timeout == null ? Optional.empty() : timeout;
    }

    /** A builder with status {@value #DEPLOYED}. */
    public static Builder builder(String functionId) {
        return new Builder(functionId);
    }

    /** Builds a {@link DeployResponse}; unset fields are absent. Not thread-safe. */
    public static final class Builder {
        private final String functionId;
        private URI endpoint;
        private String status = DEPLOYED;
        private Duration coldStart;
        private Long memoryMb;
        private Duration timeout;

        private Builder(String functionId) {
            this.functionId = Objects.requireNonNull(functionId, "functionId");
        }

        public Builder endpoint(URI value) {
            this.endpoint = value;
            return this;
        }

        public Builder status(String value) {
            this.status = Objects.requireNonNull(value, "status");
            return this;
        }

        public Builder coldStart(Duration value) {
            this.coldStart = value;
            return this;
        }

        public Builder memoryMb(long value) {
            this.memoryMb = value;
            return this;
        }

        public Builder timeout(Duration value) {
            this.timeout = value;
            return this;
        }

        public DeployResponse build() {
            return new DeployResponse(functionId, Optional.ofNullable(endpoint), status,
                    Optional.ofNullable(coldStart),
                    memoryMb == null ? OptionalLong.empty() : OptionalLong.of(memoryMb), Optional.ofNullable(timeout));
        }
    }
}
