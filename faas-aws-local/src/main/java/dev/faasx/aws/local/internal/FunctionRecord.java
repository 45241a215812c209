package dev.faasx.aws.local.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One function in the emulator's account. Mutable; every access holds the emulator's lock. Invocations of {@code $LATEST}
 * run {@link #latest}, which an update replaces only when the update completes, as on Lambda.
 */
final class FunctionRecord {
    final String name;
    final String arn;
    String role;
    String description = "";
    Map<String, String> tags = new LinkedHashMap<>();

    /** What $LATEST runs now. */
    CodeSnapshot latest;
    String state;
    String stateReason;
    String stateReasonCode;
    String lastUpdateStatus;
    String lastUpdateStatusReason;
    String lastUpdateStatusReasonCode;
    String lastModified;
    String revisionId = UUID.randomUUID().toString();
    Integer reservedConcurrency;

    final Map<String, CodeSnapshot> versions = new LinkedHashMap<>();
    int nextVersion = 1;
    final Map<String, String> aliases = new LinkedHashMap<>();
    final Map<String, String> aliasRevisions = new LinkedHashMap<>();
    final Map<String, ProvisionedConfig> provisioned = new LinkedHashMap<>();

    FunctionRecord(String name, String arn) {
        this.name = name;
        this.arn = arn;
    }

    boolean busy() {
        return "Pending".equals(state) || "InProgress".equals(lastUpdateStatus);
    }

    /** Provisioned concurrency on one alias. */
    static final class ProvisionedConfig {
        final int requested;
        int available;
        String status = "IN_PROGRESS";
        String statusReason;
        String lastModified;

        ProvisionedConfig(int requested, String lastModified) {
            this.requested = requested;
            this.lastModified = lastModified;
        }
    }
}
