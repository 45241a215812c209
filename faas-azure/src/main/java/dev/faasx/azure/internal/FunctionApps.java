package dev.faasx.azure.internal;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.BinaryData;
import com.azure.resourcemanager.appservice.AppServiceManager;
import com.azure.resourcemanager.appservice.fluent.WebSiteManagementClient;
import com.azure.resourcemanager.appservice.fluent.models.AppServicePlanInner;
import com.azure.resourcemanager.appservice.fluent.models.HostKeysInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteConfigInner;
import com.azure.resourcemanager.appservice.fluent.models.SiteInner;
import com.azure.resourcemanager.appservice.fluent.models.StringDictionaryInner;
import com.azure.resourcemanager.appservice.models.NameValuePair;
import com.azure.resourcemanager.appservice.models.SkuDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The management side of one resource group, through the App Service SDK: the group, the shared plan, function
 * apps with their settings and keys, and Kudu zip deploy (sent through the SDK's own pipeline, so that its
 * credential and HTTP client apply). Every future fails with a typed {@code FaasException}.
 */
public final class FunctionApps {
    private final AppServiceManager manager;
    private final WebSiteManagementClient client;
    private final String resourceGroup;
    private final String region;
    private final ObjectMapper json;

    public FunctionApps(AppServiceManager manager, String resourceGroup, String region, ObjectMapper json) {
        this.manager = manager;
        this.client = manager.serviceClient();
        this.resourceGroup = resourceGroup;
        this.region = region;
        this.json = json;
    }

    public String resourceGroup() {
        return resourceGroup;
    }

    /** Creates the resource group when it does not exist. */
    public CompletableFuture<Void> ensureGroup(ErrorContext ctx) {
        var groups = manager.resourceManager().resourceGroups();
        return groups.getByNameAsync(resourceGroup).toFuture()
                .handle((group, failure) -> {
                    if (failure == null) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    if (!isNotFound(failure)) {
                        return CompletableFuture.<Void>failedFuture(failure);
                    }
                    return groups.define(resourceGroup).withRegion(region).createAsync().toFuture()
                            .thenApply(g -> (Void) null);
                }).thenCompose(f -> f)
                .exceptionally(e -> {
                    throw AzureErrors.translate(e, ctx, "create resource group " + resourceGroup);
                });
    }

    /** Creates the Linux consumption plan (Y1, Dynamic) when it does not exist; completes with its id. */
    public CompletableFuture<String> ensurePlan(String name, ErrorContext ctx) {
        return client.getAppServicePlans().getByResourceGroupAsync(resourceGroup, name).toFuture()
                .handle((plan, failure) -> {
                    if (failure == null && plan != null) {
                        return CompletableFuture.completedFuture(plan.id());
                    }
                    if (failure != null && !isNotFound(failure)) {
                        return CompletableFuture.<String>failedFuture(failure);
                    }
                    AppServicePlanInner inner = new AppServicePlanInner()
                            .withSku(new SkuDescription().withName("Y1").withTier("Dynamic"))
                            .withReserved(true)
                            .withKind("functionapp");
                    inner.withLocation(region);
                    return client.getAppServicePlans().createOrUpdateAsync(resourceGroup, name, inner).toFuture()
                            .thenApply(AppServicePlanInner::id);
                }).thenCompose(f -> f)
                .exceptionally(e -> {
                    throw AzureErrors.translate(e, ctx, "create App Service plan " + name);
                });
    }

    /** Creates or updates the function app with these settings and tags. */
    public CompletableFuture<SiteInner> putApp(String app, String planId, String linuxFxVersion,
                                               Map<String, String> settings, Map<String, String> tags,
                                               ErrorContext ctx) {
        List<NameValuePair> pairs = settings.entrySet().stream()
                .map(e -> new NameValuePair().withName(e.getKey()).withValue(e.getValue())).toList();
        SiteInner site = new SiteInner()
                .withKind("functionapp,linux")
                .withServerFarmId(planId)
                .withReserved(true)
                .withHttpsOnly(true)
                .withSiteConfig(new SiteConfigInner().withLinuxFxVersion(linuxFxVersion).withAppSettings(pairs));
        site.withLocation(region).withTags(tags);
        StringDictionaryInner dictionary = new StringDictionaryInner().withProperties(settings);
        return client.getWebApps().createOrUpdateAsync(resourceGroup, app, site).toFuture()
                .thenCompose(created -> client.getWebApps()
                        .updateApplicationSettingsAsync(resourceGroup, app, dictionary).toFuture()
                        .thenApply(s -> created))
                .exceptionally(e -> {
                    throw AzureErrors.translate(e, ctx, "create or update function app " + app);
                });
    }

    /** The app, or null when it does not exist. */
    public CompletableFuture<SiteInner> find(String app, ErrorContext ctx) {
        return client.getWebApps().getByResourceGroupAsync(resourceGroup, app).toFuture()
                .handle((site, failure) -> {
                    if (failure == null) {
                        return site;
                    }
                    if (isNotFound(failure)) {
                        return null;
                    }
                    throw AzureErrors.translate(failure, ctx, "read function app " + app);
                });
    }

    public CompletableFuture<Void> delete(String app, ErrorContext ctx) {
        return client.getWebApps().deleteWithResponseAsync(resourceGroup, app, null, false).toFuture()
                .handle((r, failure) -> {
                    if (failure == null || isNotFound(failure)) {
                        return null;
                    }
                    throw AzureErrors.translate(failure, ctx, "delete function app " + app);
                });
    }

    /** The app's host keys ({@code host/default/listkeys}): the master key and the default function key. */
    public CompletableFuture<HostKeysInner> hostKeys(String app, ErrorContext ctx) {
        return client.getWebApps().listHostKeysAsync(resourceGroup, app).toFuture()
                .exceptionally(e -> {
                    throw AzureErrors.translate(e, ctx, "list the keys of function app " + app);
                });
    }

    /**
     * Deploys {@code zip} with Kudu's zip deploy ({@code isAsync=true}) and polls the deployment until it is complete,
     * at most {@code wait}; a failed deployment fails with Kudu's message.
     */
    public CompletableFuture<Void> zipDeploy(String app, byte[] zip, Duration wait, Duration poll, ErrorContext ctx) {
        String scm = "https://" + app + ".scm.azurewebsites.net";
        HttpRequest request = new HttpRequest(HttpMethod.POST, scm + "/api/zipdeploy?isAsync=true")
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/zip")
                .setBody(BinaryData.fromBytes(zip));
        long deadline = System.nanoTime() + wait.toNanos();
        return send(request).thenCompose(response -> {
            int status = response.getStatusCode();
            if (status != 200 && status != 202) {
                return bodyText(response).thenApply(text -> {
                    throw AzureErrors.fromStatus(response, "ZipDeployFailed", "Kudu refused the zip deploy: "
                            + abbreviate(text), ctx, "deploy to " + app, null);
                });
            }
            String location = response.getHeaderValue(HttpHeaderName.LOCATION);
            String statusUrl = location != null && URI.create(location).isAbsolute() ? location
                    : scm + "/api/deployments/latest";
            return pollDeployment(app, statusUrl, deadline, wait, poll, ctx);
        }).exceptionally(e -> {
            throw AzureErrors.translate(e, ctx, "deploy to " + app);
        });
    }

    private CompletableFuture<Void> pollDeployment(String app, String url, long deadline, Duration wait,
                                                   Duration poll, ErrorContext ctx) {
        return send(new HttpRequest(HttpMethod.GET, url)).thenCompose(response -> bodyText(response)
                .thenCompose(text -> {
                    int status = response.getStatusCode();
                    if (status == 200) {
                        JsonNode d = parse(text);
                        boolean complete = d.path("complete").asBoolean(false);
                        int state = d.path("status").asInt(-1);
                        if (state == 3) {
                            String message = d.path("message").asText("");
                            String statusText = d.path("status_text").asText("");
                            throw new ProviderException("Kudu reported that the deployment to " + app + " failed: "
                                    + (message.isBlank() ? statusText : message), false, false,
                                    ctx.toBuilder().code("DeploymentFailed").build());
                        }
                        if (complete && state == 4) {
                            return CompletableFuture.completedFuture(null);
                        }
                    } else if (status != 202 && status != 404) {
                        throw AzureErrors.fromStatus(response, null, "Kudu answered the deployment status with "
                                + status + ": " + abbreviate(text), ctx, "deploy to " + app, null);
                    }
                    if (System.nanoTime() > deadline) {
                        throw new FaasTimeoutException("the deployment to " + app + " did not finish within " + wait,
                                wait, ctx);
                    }
                    return CompletableFuture.runAsync(() -> { },
                                    CompletableFuture.delayedExecutor(poll.toMillis(), TimeUnit.MILLISECONDS))
                            .thenCompose(v -> pollDeployment(app, url, deadline, wait, poll, ctx));
                }));
    }

    private CompletableFuture<HttpResponse> send(HttpRequest request) {
        HttpPipeline pipeline = manager.httpPipeline();
        return pipeline.send(request).toFuture();
    }

    private static CompletableFuture<String> bodyText(HttpResponse response) {
        return response.getBodyAsString().defaultIfEmpty("").toFuture();
    }

    private JsonNode parse(String text) {
        try {
            JsonNode node = json.readTree(text);
            return node == null ? json.createObjectNode() : node;
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    static boolean isNotFound(Throwable failure) {
        Throwable t = Throwables.unwrap(failure);
        return t instanceof ManagementException m && m.getResponse() != null && m.getResponse().getStatusCode() == 404;
    }

    private static String abbreviate(String text) {
        String t = text == null ? "" : text.strip();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }
}
