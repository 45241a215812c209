package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** One function app (a {@code Microsoft.Web/sites} resource) and what has been deployed to it. Guarded by itself. */
public final class Site {
    final String subscription;
    final String resourceGroup;
    final String name;
    final Path root;
    final Instant created = Instant.now();
    String location;
    String kind;
    ObjectNode properties;
    Map<String, String> tags = new LinkedHashMap<>();
    Map<String, String> appSettings = new LinkedHashMap<>();
    String state = "Running";
    final String masterKey = Keys.newKey();
    final Map<String, String> hostKeys = new LinkedHashMap<>(Map.of("default", Keys.newKey()));
    final Map<String, Map<String, String>> functionKeys = new LinkedHashMap<>();
    final List<Deployment> deployments = new CopyOnWriteArrayList<>();
    /** The content the host runs: the wwwroot of the last successful deployment, or null. */
    volatile AppContent content;

    Site(String subscription, String resourceGroup, String name, Path root) {
        this.subscription = subscription;
        this.resourceGroup = resourceGroup;
        this.name = name;
        this.root = root;
    }

    public String name() {
        return name;
    }

    String id() {
        return "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.Web/sites/" + name;
    }

    /** A Kudu deployment record. */
    static final class Deployment {
        final String id;
        final Instant start = Instant.now();
        volatile Instant end;
        /** Kudu's DeployStatus: 0 pending, 1 building, 2 deploying, 3 failed, 4 success. */
        volatile int status;
        volatile String statusText = "";
        volatile String message = "";
        volatile boolean active;

        Deployment(String id) {
            this.id = id;
        }
    }
}
