package dev.faasx.aws.internal;

import dev.faasx.core.FaasDeployment;
import dev.faasx.core.FaasHealth;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import software.amazon.awssdk.services.lambda.model.FunctionConfiguration;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.model.LastUpdateStatus;
import software.amazon.awssdk.services.lambda.model.State;

/** Reads what GetFunction says about a function into faasx's terms. */
public final class FunctionDescriptions {
    /** Lambda's form of {@code LastModified}, for example {@code 2024-05-01T10:11:12.345+0000}. */
    private static final DateTimeFormatter LAMBDA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");

    private FunctionDescriptions() {
    }

    public static FaasDeployment deployment(long jobId, GetFunctionResponse fn, String provider) {
        return deployment(jobId, fn, provider, java.util.List.of());
    }

    /** The deployment, with warnings about what went wrong without failing it. */
    public static FaasDeployment deployment(long jobId, GetFunctionResponse fn, String provider,
                                            java.util.List<String> warnings) {
        FunctionConfiguration c = fn.configuration();
        FaasDeployment.Builder b = FaasDeployment.builder(c.functionName(), jobId, provider);
        if (c.memorySize() != null) {
            b.memoryMb(c.memorySize());
        }
        if (c.timeout() != null) {
            b.timeout(Duration.ofSeconds(c.timeout()));
        }
        if (c.codeSize() != null) {
            b.packageSizeBytes(c.codeSize());
        }
        lastModified(c.lastModified()).ifPresent(b::deployedAt);
        warnings.forEach(b::warning);
        return b.build();
    }

    /** Healthy when the function is Active and its last update succeeded; otherwise why not, in Lambda's words. */
    public static FaasHealth health(GetFunctionResponse fn) {
        FunctionConfiguration c = fn.configuration();
        boolean active = c.state() == State.ACTIVE;
        boolean updated = c.lastUpdateStatus() == null || c.lastUpdateStatus() == LastUpdateStatus.SUCCESSFUL;
        if (active && updated) {
            return FaasHealth.ok();
        }
        StringBuilder detail = new StringBuilder("state ").append(c.stateAsString());
        if (c.stateReason() != null) {
            detail.append(" (").append(c.stateReason()).append(')');
        }
        detail.append(", last update ").append(c.lastUpdateStatusAsString());
        if (c.lastUpdateStatusReason() != null) {
            detail.append(" (").append(c.lastUpdateStatusReason()).append(')');
        }
        return FaasHealth.failing(detail.toString());
    }

    public static Optional<Instant> lastModified(String value) {
        if (value == null) {
            return Optional.empty();
        }
        for (DateTimeFormatter format : new DateTimeFormatter[] {LAMBDA_TIME, DateTimeFormatter.ISO_OFFSET_DATE_TIME}) {
            try {
                return Optional.of(OffsetDateTime.parse(value, format).toInstant());
            } catch (DateTimeParseException ignored) {
                // Try the next form Lambda is known to use.
            }
        }
        return Optional.empty();
    }
}
