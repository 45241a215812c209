package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kudu, the app's SCM endpoint ({@code https://{app}.scm.azurewebsites.net}): zip deploy
 * ({@code POST /api/zipdeploy[?isAsync=true]}, also {@code /api/publish?type=zip}) with its deployment records
 * ({@code GET /api/deployments}, {@code /api/deployments/latest}, {@code /api/deployments/{id}}; status 3 failed,
 * 4 success). A deployment extracts the zip into a fresh folder, checks that the Functions host can run it, and only
 * then makes it the app's content and restarts the host. Accepts a bearer token or the app's publishing credentials.
 */
final class Kudu {
    private static final Logger LOG = LoggerFactory.getLogger(Kudu.class);
    private static final String JSON = "application/json; charset=utf-8";

    private final Resources resources;
    private final ObjectMapper json;
    private final Map<String, String> passwords = new ConcurrentHashMap<>();
    private final java.util.Queue<String> plannedFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();

    Kudu(Resources resources) {
        this.resources = resources;
        this.json = resources.json;
    }

    /** The next zip deploy (to any app) ends as failed with {@code message}, as a failed Kudu build would. */
    void failNextDeployment(String message) {
        plannedFailures.add(message);
    }

    String publishingPassword(Site site) {
        return passwords.computeIfAbsent(site.name.toLowerCase(Locale.ROOT), k -> ArmApi.randomSecret());
    }

    Http.Response handle(Site site, Http.Request request) {
        if (!authorized(site, request)) {
            return Http.Response.of(401, "text/plain", "Unauthorized".getBytes(StandardCharsets.UTF_8))
                    .withHeader("WWW-Authenticate", "Basic realm=\"site\"");
        }
        String path = request.path().toLowerCase(Locale.ROOT);
        String method = request.method();
        if ((path.equals("/api/zipdeploy") || path.equals("/api/publish")) && method.equals("POST")) {
            if (path.equals("/api/publish") && !"zip".equalsIgnoreCase(request.query().getOrDefault("type", "zip"))) {
                return text(400, "Only type=zip is supported by this deployment endpoint.");
            }
            return zipDeploy(site, request);
        }
        if (path.equals("/api/deployments") && method.equals("GET")) {
            ArrayNode list = json.createArrayNode();
            site.deployments.forEach(d -> list.add(deploymentJson(site, d)));
            return json(200, list);
        }
        if (path.startsWith("/api/deployments/") && method.equals("GET")) {
            String id = request.path().substring("/api/deployments/".length());
            Site.Deployment found = null;
            if (id.equalsIgnoreCase("latest")) {
                found = site.deployments.isEmpty() ? null : site.deployments.get(site.deployments.size() - 1);
            } else {
                for (Site.Deployment d : site.deployments) {
                    if (d.id.equalsIgnoreCase(id)) {
                        found = d;
                    }
                }
            }
            return found == null ? text(404, "Deployment not found.") : json(200, deploymentJson(site, found));
        }
        return text(404, "Not found: " + request.method() + " " + request.path());
    }

    private Http.Response zipDeploy(Site site, Http.Request request) {
        boolean async = "true".equalsIgnoreCase(request.query().getOrDefault("isasync", "false"));
        Site.Deployment deployment = new Site.Deployment(UUID.randomUUID().toString().replace("-", ""));
        site.deployments.add(deployment);
        deployment.status = 2;
        deployment.statusText = "Deploying";
        try {
            deploy(site, request.body(), deployment);
            deployment.status = 4;
            deployment.statusText = "";
            deployment.message = "Created via a push deployment";
            site.deployments.forEach(d -> d.active = d == deployment);
        } catch (IllegalArgumentException e) {
            deployment.status = 3;
            deployment.statusText = "Deployment failed";
            deployment.message = e.getMessage();
            LOG.info("zip deploy to {} failed: {}", site.name, e.getMessage());
        } catch (IOException e) {
            deployment.status = 3;
            deployment.statusText = "Deployment failed";
            deployment.message = "cannot write the package: " + e.getMessage();
        }
        deployment.end = Instant.now();
        if (async) {
            return Http.Response.empty(202).withHeader("Location", "https://" + site.name
                    + ".scm.azurewebsites.net/api/deployments/latest?deployer=ZipDeploy&time="
                    + deployment.start.toEpochMilli());
        }
        return deployment.status == 4 ? Http.Response.empty(200) : text(400, deployment.message);
    }

    private void deploy(Site site, byte[] zip, Site.Deployment deployment) throws IOException {
        String planned = plannedFailures.poll();
        if (planned != null) {
            throw new IllegalArgumentException(planned);
        }
        if (zip.length == 0) {
            throw new IllegalArgumentException("the request has no zip file in its body");
        }
        if (zip.length > ZipExtractor.MAX_ZIP_BYTES) {
            throw new IllegalArgumentException("the zip is larger than " + ZipExtractor.MAX_ZIP_BYTES + " bytes");
        }
        Path target = site.root.resolve("deployments").resolve(deployment.id).resolve("wwwroot");
        Files.createDirectories(target);
        try {
            ZipExtractor.extract(zip, target);
            AppContent content = AppContent.read(target, json);
            AppContent previous;
            synchronized (site) {
                content.functions().values().forEach(f -> site.functionKeys
                        .computeIfAbsent(f.name().toLowerCase(Locale.ROOT), k -> new java.util.LinkedHashMap<>(
                                Map.of("default", Keys.newKey()))));
                previous = site.content;
                site.content = content;
            }
            resources.host(site).stop();
            if (previous != null) {
                Resources.deleteTree(previous.wwwroot().getParent());
            }
        } catch (IllegalArgumentException | IOException e) {
            Resources.deleteTree(target.getParent());
            throw e;
        }
    }

    private ObjectNode deploymentJson(Site site, Site.Deployment d) {
        ObjectNode out = json.createObjectNode();
        out.put("id", d.id);
        out.put("status", d.status);
        out.put("status_text", d.statusText);
        out.put("author_email", "N/A");
        out.put("author", "N/A");
        out.put("deployer", "ZipDeploy");
        out.put("message", d.message);
        out.put("progress", "");
        out.put("received_time", d.start.toString());
        out.put("start_time", d.start.toString());
        if (d.end != null) {
            out.put("end_time", d.end.toString());
        } else {
            out.putNull("end_time");
        }
        out.put("complete", d.end != null);
        out.put("active", d.active);
        out.put("is_temp", false);
        out.put("is_readonly", true);
        out.put("site_name", site.name);
        out.put("url", "https://" + site.name + ".scm.azurewebsites.net/api/deployments/" + d.id);
        out.put("log_url", "https://" + site.name + ".scm.azurewebsites.net/api/deployments/" + d.id + "/log");
        return out;
    }

    private boolean authorized(Site site, Http.Request request) {
        String auth = request.header("Authorization");
        if (auth == null) {
            return false;
        }
        if (auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return auth.length() > 7;
        }
        if (auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String pair = new String(Base64.getDecoder().decode(auth.substring(6).strip()), StandardCharsets.UTF_8);
                String expected = "$" + site.name + ":" + publishingPassword(site);
                return Keys.matches(pair, expected);
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
        return false;
    }

    private Http.Response json(int status, Object body) {
        try {
            return Http.Response.of(status, JSON, json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Http.Response text(int status, String message) {
        return Http.Response.of(status, "text/plain; charset=utf-8", message.getBytes(StandardCharsets.UTF_8));
    }
}
