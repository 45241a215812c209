package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the emulator holds: resource groups, App Service plans and function apps, each app with its files, keys,
 * settings, deployments and Functions host. Names are case-insensitive, as in Azure; app names are global.
 */
public final class Resources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resources.class);

    /** A resource group or a plan: its identity, location, tags and the body it was created with. */
    record Resource(String subscription, String resourceGroup, String name, String location, ObjectNode body) {
    }

    final ObjectMapper json;
    private final Path dataDirectory;
    private final HttpClient client;
    private final Duration startTimeout;
    private final Map<String, Resource> groups = new ConcurrentHashMap<>();
    private final Map<String, Resource> plans = new ConcurrentHashMap<>();
    private final Map<String, Site> sites = new ConcurrentHashMap<>();
    private final Map<String, FunctionsHost> hosts = new ConcurrentHashMap<>();

    public Resources(ObjectMapper json, Path dataDirectory, HttpClient client, Duration startTimeout) {
        this.json = json;
        this.dataDirectory = dataDirectory;
        this.client = client;
        this.startTimeout = startTimeout;
    }

    static String key(String... parts) {
        return String.join("/", parts).toLowerCase(Locale.ROOT);
    }

    Resource group(String subscription, String name) {
        return groups.get(key(subscription, name));
    }

    Resource requireGroup(String subscription, String name) {
        Resource group = group(subscription, name);
        if (group == null) {
            throw ArmError.notFound("ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
        }
        return group;
    }

    /** Creates or updates a group; true when it was created. */
    boolean putGroup(Resource group) {
        return groups.put(key(group.subscription(), group.name()), group) == null;
    }

    boolean deleteGroup(String subscription, String name) {
        Resource removed = groups.remove(key(subscription, name));
        if (removed == null) {
            return false;
        }
        for (Site site : List.copyOf(sites.values())) {
            if (site.subscription.equalsIgnoreCase(subscription) && site.resourceGroup.equalsIgnoreCase(name)) {
                deleteSite(site);
            }
        }
        plans.keySet().removeIf(k -> k.startsWith(key(subscription, name) + "/"));
        return true;
    }

    Resource plan(String subscription, String group, String name) {
        return plans.get(key(subscription, group, name));
    }

    boolean putPlan(Resource plan) {
        return plans.put(key(plan.subscription(), plan.resourceGroup(), plan.name()), plan) == null;
    }

    boolean deletePlan(String subscription, String group, String name) {
        return plans.remove(key(subscription, group, name)) != null;
    }

    /** The app named {@code name} anywhere (app names are global), or null. */
    public Site site(String name) {
        return sites.get(name.toLowerCase(Locale.ROOT));
    }

    /** The app, when it lives in that subscription and group; otherwise null. */
    Site site(String subscription, String group, String name) {
        Site site = site(name);
        return site != null && site.subscription.equalsIgnoreCase(subscription)
                && site.resourceGroup.equalsIgnoreCase(group) ? site : null;
    }

    List<Site> sites(String subscription, String group) {
        return sites.values().stream().filter(s -> s.subscription.equalsIgnoreCase(subscription)
                        && (group == null || s.resourceGroup.equalsIgnoreCase(group)))
                .sorted(Comparator.comparing(s -> s.name)).toList();
    }

    /** Creates an app record; fails with 409 when the global name is taken by another group. */
    synchronized Site createSite(String subscription, String group, String name) {
        Site existing = site(name);
        if (existing != null) {
            if (existing.subscription.equalsIgnoreCase(subscription) && existing.resourceGroup.equalsIgnoreCase(group)) {
                return existing;
            }
            throw new ArmError(409, "Conflict", "Website with given name " + name + " already exists.");
        }
        Path root = dataDirectory.resolve("sites").resolve(name.toLowerCase(Locale.ROOT));
        try {
            deleteTree(root);
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new ArmError(500, "InternalServerError", "cannot create the app's folder: " + e.getMessage());
        }
        Site site = new Site(subscription, group, name, root);
        sites.put(name.toLowerCase(Locale.ROOT), site);
        hosts.put(name.toLowerCase(Locale.ROOT), new FunctionsHost(site, json, client, startTimeout));
        return site;
    }

    FunctionsHost host(Site site) {
        return hosts.get(site.name.toLowerCase(Locale.ROOT));
    }

    synchronized void deleteSite(Site site) {
        sites.remove(site.name.toLowerCase(Locale.ROOT));
        FunctionsHost host = hosts.remove(site.name.toLowerCase(Locale.ROOT));
        if (host != null) {
            host.stop();
        }
        try {
            deleteTree(site.root);
        } catch (IOException e) {
            LOG.warn("cannot remove the files of {}: {}", site.name, e.getMessage());
        }
    }

    Map<String, String> snapshotSettings(Site site) {
        synchronized (site) {
            return new LinkedHashMap<>(site.appSettings);
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Stops every handler. */
    @Override
    public void close() {
        hosts.values().forEach(FunctionsHost::stop);
    }
}
