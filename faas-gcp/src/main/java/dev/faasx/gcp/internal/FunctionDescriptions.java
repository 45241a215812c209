package dev.faasx.gcp.internal;

import com.google.cloud.functions.v2.Function;
import com.google.cloud.functions.v2.StateMessage;
import dev.faasx.core.FaasDeployment;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads what the Cloud Functions API says about a function. */
public final class FunctionDescriptions {
    private static final Pattern MEMORY = Pattern.compile("([0-9]{1,7})(M|Mi|G|Gi|k|Ki)?");

    private FunctionDescriptions() {
    }

    /** The deployment a function describes; {@code packageSize} below 0 when not known. */
    public static FaasDeployment deployment(long jobId, Function fn, String provider, long packageSize) {
        FaasDeployment.Builder b = FaasDeployment.builder(fn.getName(), jobId, provider);
        String uri = fn.getServiceConfig().getUri().isEmpty() ? fn.getUrl() : fn.getServiceConfig().getUri();
        if (!uri.isEmpty()) {
            b.endpoint(URI.create(uri));
        }
        long memory = memoryMb(fn.getServiceConfig().getAvailableMemory());
        if (memory > 0) {
            b.memoryMb(memory);
        }
        if (fn.getServiceConfig().getTimeoutSeconds() > 0) {
            b.timeout(Duration.ofSeconds(fn.getServiceConfig().getTimeoutSeconds()));
        }
        if (fn.hasUpdateTime()) {
            b.deployedAt(Instant.ofEpochSecond(fn.getUpdateTime().getSeconds(), fn.getUpdateTime().getNanos()));
        }
        if (packageSize >= 0) {
            b.packageSizeBytes(packageSize);
        }
        return b.build();
    }

    /** MiB of a memory setting such as {@code 256Mi}, {@code 256M} or {@code 1Gi}; -1 when not readable. */
    public static long memoryMb(String value) {
        Matcher m = MEMORY.matcher(value == null ? "" : value.strip());
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        return switch (unit) {
            case "G", "Gi" -> n * 1024;
            case "M", "Mi" -> n;
            case "k", "Ki" -> Math.max(1, n / 1024);
            default -> Math.max(1, n / (1024 * 1024));
        };
    }

    /** The function's state messages as {@code " (message; message)"}, or empty. */
    public static String messages(Function fn) {
        if (fn.getStateMessagesCount() == 0) {
            return "";
        }
        return " (" + fn.getStateMessagesList().stream().map(StateMessage::getMessage)
                .collect(Collectors.joining("; ")) + ")";
    }
}
