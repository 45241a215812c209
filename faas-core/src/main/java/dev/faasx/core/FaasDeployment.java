package dev.faasx.core;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What is deployed for a job on a platform.
 *
 * @param functionId       the platform's name for the function (for example {@code job7} or {@code faasx-job-7})
 * @param jobId            the job it serves
 * @param provider         the platform, as {@link FaasExecutor#providerName()} names it
 * @param endpoint         where it is invoked, when the platform exposes a URL
 * @param memoryMb         configured memory, when known
 * @param timeout          configured timeout, when known
 * @param deployedAt       when it was (last) deployed, when known
 * @param packageSizeBytes the deployed package's size, when known
 * @param coldStart        how long the platform took to make it runnable, with provenance
 * @param warnings         what went wrong without failing the deployment (for example old versions that could not
 *                         be removed), in words a person can act on; empty when nothing did
 */
public record FaasDeployment(String functionId, long jobId, String provider, Optional<URI> endpoint,
                             OptionalLong memoryMb, Optional<Duration> timeout, Optional<Instant> deployedAt,
                             OptionalLong packageSizeBytes, Figure<Duration> coldStart,
                             List<String> warnings) {
    public FaasDeployment {
        Objects.requireNonNull(functionId, "functionId");
        Objects.requireNonNull(provider, "provider");
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        memoryMb = memoryMb == null ? OptionalLong.empty() : memoryMb;
        timeout = timeout == null ? Optional.empty() : timeout;
        deployedAt = deployedAt == null ? Optional.empty() : deployedAt;
        packageSizeBytes = packageSizeBytes == null ? OptionalLong.empty() : packageSizeBytes;
        coldStart = coldStart == null ? Figure.unknown() : coldStart;
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public static Builder builder(String functionId, long jobId, String provider) {
        return new Builder(functionId, jobId, provider);
    }

    /** Builds a {@link FaasDeployment}; unset fields are unknown. Not thread-safe. */
    public static final class Builder {
        private final String functionId;
        private final long jobId;
        private final String provider;
        private URI endpoint;
        private Long memoryMb;
        private Duration timeout;
        private Instant deployedAt;
        private Long packageSizeBytes;
        private Figure<Duration> coldStart = Figure.unknown();
        private final List<String> warnings = new ArrayList<>();

        private Builder(String functionId, long jobId, String provider) {
            this.functionId = functionId;
            this.jobId = jobId;
            this.provider = provider;
        }

        public Builder endpoint(URI value) {
            this.endpoint = value;
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

        public Builder deployedAt(Instant value) {
            this.deployedAt = value;
            return this;
        }

        public Builder packageSizeBytes(long value) {
            this.packageSizeBytes = value;
            return this;
        }

        public Builder coldStart(Figure<Duration> value) {
            this.coldStart = Objects.requireNonNull(value, "coldStart");
            return this;
        }

        /** Adds a warning: something that went wrong without failing the deployment. */
        public Builder warning(String value) {
            this.warnings.add(Objects.requireNonNull(value, "warning"));
            return this;
        }

        public FaasDeployment build() {
            return new FaasDeployment(functionId, jobId, provider, Optional.ofNullable(endpoint),
                    memoryMb == null ? OptionalLong.empty() : OptionalLong.of(memoryMb),
                    Optional.ofNullable(timeout), Optional.ofNullable(deployedAt),
                    packageSizeBytes == null ? OptionalLong.empty() : OptionalLong.of(packageSizeBytes), coldStart,
                    warnings);
        }
    }
}
