package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The Azure Resource Manager subset a function app's life needs: resource groups, App Service plans
 * ({@code Microsoft.Web/serverfarms}), function apps ({@code Microsoft.Web/sites}) with their app settings,
 * publishing credentials, functions and keys (host keys and the flat per-function {@code listkeys} answer the real
 * service gives), start/stop/restart and delete. Answers and errors are in ARM's shapes.
 */
final class ArmApi {
    private static final Pattern GROUP_NAME = Pattern.compile("[-\\w._()]{1,90}");
    private static final Pattern SITE_NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?");
    private static final String JSON = "application/json; charset=utf-8";

    private final Resources resources;
    private final ObjectMapper json;
    private final Kudu kudu;

    ArmApi(Resources resources, Kudu kudu) {
        this.resources = resources;
        this.json = resources.json;
        this.kudu = kudu;
    }

    Http.Response handle(Http.Request request) {
        String auth = request.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() < 8) {
            throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is"
                    + " missing or not a bearer token.");
        }
        String[] s = segments(request.path());
        // /subscriptions/{sub}/resourcegroups/{rg}[/providers/microsoft.web/{type}/{name}[/...]]
        if (s.length < 4 || !s[0].equalsIgnoreCase("subscriptions") || !s[2].equalsIgnoreCase("resourcegroups")) {
            throw ArmError.notFound("InvalidResourceType", "The resource type could not be found in the namespace"
                    + " for api version: " + request.path());
        }
        String sub = s[1];
        String group = s[3];
        if (s.length == 4) {
            return resourceGroup(request, sub, group);
        }
        if (s.length < 8 || !s[4].equalsIgnoreCase("providers") || !s[5].equalsIgnoreCase("microsoft.web")) {
            if (s.length == 7 && s[4].equalsIgnoreCase("providers") && s[6].equalsIgnoreCase("sites")
                    && request.method().equals("GET")) {
                resources.requireGroup(sub, group);
                ArrayNode value = json.createArrayNode();
                resources.sites(sub, group).forEach(site -> value.add(siteJson(site)));
                ObjectNode list = json.createObjectNode();
                list.set("value", value);
                return ok(list);
            }
            throw ArmError.notFound("InvalidResourceType", "The resource type '" + (s.length > 6 ? s[6] : "")
                    + "' could not be found.");
        }
        resources.requireGroup(sub, group);
        String type = s[6].toLowerCase(Locale.ROOT);
        String name = s[7];
        return switch (type) {
            case "serverfarms" -> plan(request, sub, group, name, s);
            case "sites" -> s.length == 8 ? site(request, sub, group, name) : siteChild(request, sub, group, name, s);
            default -> throw ArmError.notFound("InvalidResourceType", "The resource type '" + s[6]
                    + "' could not be found in the namespace 'Microsoft.Web'.");
        };
    }

    private Http.Response resourceGroup(Http.Request request, String sub, String name) {
        switch (request.method()) {
            case "PUT", "PATCH" -> {
                if (!GROUP_NAME.matcher(name).matches() || name.endsWith(".")) {
                    throw ArmError.badRequest("InvalidResourceGroup", "The provided resource group name '" + name
                            + "' has these invalid characters or is too long.");
                }
                ObjectNode body = body(request);
                Resources.Resource existing = resources.group(sub, name);
                String location = body.path("location").asText(existing == null ? "" : existing.location());
                if (location.isBlank()) {
                    throw ArmError.badRequest("LocationRequired", "The location property is required for this"
                            + " definition.");
                }
                boolean created = resources.putGroup(new Resources.Resource(sub, name, name, location, body));
                return json(created ? 201 : 200, groupJson(resources.group(sub, name)));
            }
            case "GET" -> {
                return ok(groupJson(resources.requireGroup(sub, name)));
            }
            case "HEAD" -> {
                return Http.Response.empty(resources.group(sub, name) == null ? 404 : 204);
            }
            case "DELETE" -> {
                return Http.Response.empty(resources.deleteGroup(sub, name) ? 200 : 404);
            }
            default -> throw methodNotAllowed(request);
        }
    }

    private ObjectNode groupJson(Resources.Resource g) {
        ObjectNode out = json.createObjectNode();
        out.put("id", "/subscriptions/" + g.subscription() + "/resourceGroups/" + g.name());
        out.put("name", g.name());
        out.put("type", "Microsoft.Resources/resourceGroups");
        out.put("location", g.location());
        out.set("tags", g.body().path("tags").isObject() ? g.body().get("tags") : json.createObjectNode());
        out.putObject("properties").put("provisioningState", "Succeeded");
        return out;
    }

    private Http.Response plan(Http.Request request, String sub, String group, String name, String[] s) {
        if (s.length != 8) {
            throw ArmError.notFound("NotFound", "Unsupported request: " + request.path());
        }
        switch (request.method()) {
            case "PUT" -> {
                ObjectNode body = body(request);
                String location = body.path("location").asText(resources.requireGroup(sub, group).location());
                // App Service answers 200 for a created plan as for an updated one.
                resources.putPlan(new Resources.Resource(sub, group, name, location, body));
                return ok(planJson(resources.plan(sub, group, name)));
            }
            case "GET" -> {
                Resources.Resource plan = resources.plan(sub, group, name);
                if (plan == null) {
                    throw notFound("Microsoft.Web/serverFarms", name, group);
                }
                return ok(planJson(plan));
            }
            case "DELETE" -> {
                return Http.Response.empty(resources.deletePlan(sub, group, name) ? 200 : 204);
            }
            default -> throw methodNotAllowed(request);
        }
    }

    private ObjectNode planJson(Resources.Resource p) {
        ObjectNode out = json.createObjectNode();
        out.put("id", "/subscriptions/" + p.subscription() + "/resourceGroups/" + p.resourceGroup()
                + "/providers/Microsoft.Web/serverfarms/" + p.name());
        out.put("name", p.name());
        out.put("type", "Microsoft.Web/serverfarms");
        out.put("location", p.location());
        out.put("kind", p.body().path("kind").asText("functionapp"));
        out.set("sku", p.body().path("sku").isObject() ? p.body().get("sku")
                : json.createObjectNode().put("name", "Y1").put("tier", "Dynamic"));
        ObjectNode props = out.putObject("properties");
        props.put("status", "Ready");
        props.put("provisioningState", "Succeeded");
        props.put("reserved", p.body().path("properties").path("reserved").asBoolean(false));
        props.put("numberOfSites", resources.sites(p.subscription(), p.resourceGroup()).size());
        return out;
    }

    private Http.Response site(Http.Request request, String sub, String group, String name) {
        switch (request.method()) {
            case "PUT", "PATCH" -> {
                if (!SITE_NAME.matcher(name).matches()) {
                    throw ArmError.badRequest("InvalidResourceName", "The site name '" + name + "' is invalid: use"
                            + " 2 to 60 letters, digits and hyphens, not starting or ending with a hyphen.");
                }
                ObjectNode body = body(request);
                boolean created = resources.site(sub, group, name) == null;
                if (request.method().equals("PATCH") && created) {
                    throw notFound("Microsoft.Web/sites", name, group);
                }
                Site site = resources.createSite(sub, group, name);
                update(site, body, created);
                // App Service answers 200 for a created site as for an updated one (its SDK expects 200 or 202).
                return ok(siteJson(site));
            }
            case "GET" -> {
                return ok(siteJson(requireSite(sub, group, name)));
            }
            case "DELETE" -> {
                Site site = resources.site(sub, group, name);
                if (site == null) {
                    return Http.Response.empty(204);
                }
                resources.deleteSite(site);
                return Http.Response.empty(200);
            }
            default -> throw methodNotAllowed(request);
        }
    }

    private void update(Site site, ObjectNode body, boolean created) {
        synchronized (site) {
            String location = body.path("location").asText(site.location == null ? "" : site.location);
            site.location = location.isBlank() ? resources.requireGroup(site.subscription, site.resourceGroup)
                    .location() : location;
            site.kind = body.path("kind").asText(site.kind == null ? "app" : site.kind);
            if (body.path("tags").isObject()) {
                Map<String, String> tags = new LinkedHashMap<>();
                body.get("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                site.tags = tags;
            }
            ObjectNode props = body.path("properties").isObject() ? (ObjectNode) body.get("properties").deepCopy()
                    : json.createObjectNode();
            JsonNode settings = props.path("siteConfig").path("appSettings");
            if (settings.isArray() && (created || settings.size() > 0)) {
                Map<String, String> values = new LinkedHashMap<>();
                settings.forEach(e -> values.put(e.path("name").asText(), e.path("value").asText("")));
                site.appSettings = values;
            }
            if (props.path("siteConfig").isObject()) {
                ((ObjectNode) props.get("siteConfig")).remove("appSettings");
            }
            if (site.properties == null) {
                site.properties = props;
            } else {
                site.properties.setAll(props);
            }
        }
        resources.host(site).stop();
    }

    private Http.Response siteChild(Http.Request request, String sub, String group, String name, String[] s) {
        Site site = requireSite(sub, group, name);
        String rest = String.join("/", java.util.Arrays.copyOfRange(s, 8, s.length)).toLowerCase(Locale.ROOT);
        String method = request.method();
        if (rest.equals("config/appsettings/list") && method.equals("POST")) {
            return ok(settingsJson(site));
        }
        if (rest.equals("config/appsettings") && method.equals("PUT")) {
            Map<String, String> values = new LinkedHashMap<>();
            body(request).path("properties").fields().forEachRemaining(e -> values.put(e.getKey(),
                    e.getValue().asText("")));
            synchronized (site) {
                site.appSettings = values;
            }
            resources.host(site).stop();
            return ok(settingsJson(site));
        }
        if (rest.equals("config/publishingcredentials/list") && method.equals("POST")) {
            ObjectNode out = json.createObjectNode();
            out.put("id", site.id() + "/config/publishingcredentials");
            out.put("name", "publishingcredentials");
            out.put("type", "Microsoft.Web/sites/config");
            ObjectNode props = out.putObject("properties");
            props.put("publishingUserName", "$" + site.name);
            props.put("publishingPassword", kudu.publishingPassword(site));
            props.put("scmUri", "https://$" + site.name + ":" + kudu.publishingPassword(site) + "@" + site.name
                    + ".scm.azurewebsites.net");
            return ok(out);
        }
        if (rest.equals("host/default/listkeys") && method.equals("POST")) {
            ObjectNode out = json.createObjectNode();
            synchronized (site) {
                out.put("masterKey", site.masterKey);
                ObjectNode fk = out.putObject("functionKeys");
                site.hostKeys.forEach(fk::put);
            }
            out.putObject("systemKeys");
            return ok(out);
        }
        if ((rest.equals("restart") || rest.equals("start") || rest.equals("stop")) && method.equals("POST")) {
            synchronized (site) {
                site.state = rest.equals("stop") ? "Stopped" : "Running";
            }
            resources.host(site).stop();
            return Http.Response.empty(200);
        }
        if (rest.equals("functions") && method.equals("GET")) {
            ArrayNode value = json.createArrayNode();
            AppContent content = site.content;
            if (content != null) {
                content.functions().values().forEach(f -> value.add(functionJson(site, f)));
            }
            ObjectNode out = json.createObjectNode();
            out.set("value", value);
            return ok(out);
        }
        if (s.length >= 10 && s[8].equalsIgnoreCase("functions")) {
            AppContent content = site.content;
            AppContent.FunctionDef function = content == null ? null
                    : content.functions().get(s[9].toLowerCase(Locale.ROOT));
            if (function == null) {
                throw ArmError.notFound("NotFound", "Error retrieving function " + s[9] + ": function not found.");
            }
            if (s.length == 10 && method.equals("GET")) {
                return ok(functionJson(site, function));
            }
            if (s.length == 11 && s[10].equalsIgnoreCase("listkeys") && method.equals("POST")) {
                // The real service answers this flat, not as the {"keys":...} its API description says.
                ObjectNode out = json.createObjectNode();
                synchronized (site) {
                    site.functionKeys.getOrDefault(function.name().toLowerCase(Locale.ROOT), Map.of())
                            .forEach(out::put);
                }
                return ok(out);
            }
        }
        throw ArmError.notFound("NotFound", "Unsupported request " + method + " " + request.path());
    }

    private ObjectNode functionJson(Site site, AppContent.FunctionDef f) {
        ObjectNode out = json.createObjectNode();
        out.put("id", site.id() + "/functions/" + f.name());
        out.put("name", site.name + "/" + f.name());
        out.put("type", "Microsoft.Web/sites/functions");
        out.put("location", site.location);
        ObjectNode props = out.putObject("properties");
        props.put("name", f.name());
        props.put("function_app_id", site.id());
        props.put("invoke_url_template", "https://" + site.name + ".azurewebsites.net/api/" + f.route());
        props.put("language", "custom");
        props.put("isDisabled", false);
        ObjectNode binding = props.putObject("config").putArray("bindings").addObject();
        binding.put("type", "httpTrigger");
        binding.put("direction", "in");
        binding.put("name", "req");
        binding.put("authLevel", f.authLevel());
        return out;
    }

    private ObjectNode settingsJson(Site site) {
        ObjectNode out = json.createObjectNode();
        out.put("id", site.id() + "/config/appsettings");
        out.put("name", "appsettings");
        out.put("type", "Microsoft.Web/sites/config");
        out.put("location", site.location);
        ObjectNode props = out.putObject("properties");
        resources.snapshotSettings(site).forEach(props::put);
        return out;
    }

    ObjectNode siteJson(Site site) {
        ObjectNode out = json.createObjectNode();
        synchronized (site) {
            out.put("id", site.id());
            out.put("name", site.name);
            out.put("type", "Microsoft.Web/sites");
            out.put("kind", site.kind);
            out.put("location", site.location);
            ObjectNode tags = out.putObject("tags");
            site.tags.forEach(tags::put);
            ObjectNode props = site.properties == null ? json.createObjectNode() : site.properties.deepCopy();
            String host = site.name + ".azurewebsites.net";
            String scm = site.name + ".scm.azurewebsites.net";
            props.put("name", site.name);
            props.put("state", site.state);
            props.putArray("hostNames").add(host);
            props.put("repositorySiteName", site.name);
            props.put("usageState", "Normal");
            props.put("enabled", true);
            ArrayNode enabled = props.putArray("enabledHostNames");
            enabled.add(host);
            enabled.add(scm);
            props.put("availabilityState", "Normal");
            ArrayNode ssl = props.putArray("hostNameSslStates");
            ssl.addObject().put("name", host).put("sslState", "Disabled").put("hostType", "Standard");
            ssl.addObject().put("name", scm).put("sslState", "Disabled").put("hostType", "Repository");
            props.put("defaultHostName", host);
            props.put("resourceGroup", site.resourceGroup);
            props.put("lastModifiedTimeUtc", java.time.Instant.now().toString());
            if (!props.path("siteConfig").isObject()) {
                props.putObject("siteConfig");
            }
            ((ObjectNode) props.get("siteConfig")).putNull("appSettings");
            out.set("properties", props);
        }
        return out;
    }

    private Site requireSite(String sub, String group, String name) {
        Site site = resources.site(sub, group, name);
        if (site == null) {
            throw notFound("Microsoft.Web/sites", name, group);
        }
        return site;
    }

    private static ArmError notFound(String type, String name, String group) {
        return ArmError.notFound("ResourceNotFound", "The Resource '" + type + "/" + name
                + "' under resource group '" + group + "' was not found. For more details please go to"
                + " https://aka.ms/ARMResourceNotFoundFix");
    }

    private static ArmError methodNotAllowed(Http.Request request) {
        return new ArmError(405, "MethodNotAllowed", "The method " + request.method() + " is not allowed on "
                + request.path());
    }

    private ObjectNode body(Http.Request request) {
        if (request.body().length == 0) {
            return json.createObjectNode();
        }
        try {
            JsonNode node = json.readTree(request.body());
            if (node == null || !node.isObject()) {
                throw ArmError.badRequest("InvalidRequestContent", "The request content is not a JSON object.");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw ArmError.badRequest("InvalidRequestContent", "The request content was invalid and could not be"
                    + " deserialized: " + e.getMessage());
        }
    }

    private Http.Response ok(JsonNode body) {
        return json(200, body);
    }

    private Http.Response json(int status, JsonNode body) {
        try {
            return Http.Response.of(status, JSON, json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String[] segments(String path) {
        List<String> out = new java.util.ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                out.add(p);
            }
        }
        return out.toArray(String[]::new);
    }

    static String randomSecret() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
