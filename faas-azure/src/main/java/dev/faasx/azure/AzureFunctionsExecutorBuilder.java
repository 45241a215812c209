package dev.faasx.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.appservice.AppServiceManager;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.faasx.azure.internal.AppNames;
import dev.faasx.azure.internal.FunctionApps;
import dev.faasx.core.internal.http.HttpTransport;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Objects;

/**
 * Configures an {@link AzureFunctionsExecutor}. Subscription, resource group and region come from the builder
 * or from {@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_RESOURCE_GROUP} and {@code AZURE_REGION} (or
 * {@code AZURE_LOCATION}); the credential is {@code DefaultAzureCredential} unless one is given. Not thread-safe.
 */
public final class AzureFunctionsExecutorBuilder {
    String subscriptionId;
    String resourceGroup;
    String region;
    String tenantId;
    TokenCredential credential;
    HttpClient httpClient;
    HttpPipeline httpPipeline;
    RetryOptions retryOptions;
    URI functionsEndpoint;
    java.net.http.HttpClient functionsClient;
    String appNamePrefix;
    String linuxFxVersion = "Java|17";
    byte[] adapterJar;
    String storageConnectionString;
    Duration deployTimeout = Duration.ofMinutes(10);
    Duration pollInterval = Duration.ofSeconds(2);
    Map<String, String> environment = System.getenv();

    AzureFunctionsExecutorBuilder() {
    }

    public AzureFunctionsExecutorBuilder subscriptionId(String value) {
        this.subscriptionId = value;
        return this;
    }

    public AzureFunctionsExecutorBuilder resourceGroup(String value) {
        this.resourceGroup = value;
        return this;
    }

    /** The Azure region for the resource group, plan and apps, for example {@code westeurope}. */
    public AzureFunctionsExecutorBuilder region(String value) {
        this.region = value;
        return this;
    }

    public AzureFunctionsExecutorBuilder tenantId(String value) {
        this.tenantId = value;
        return this;
    }

    /** The credential; {@code DefaultAzureCredential} by default. */
    public AzureFunctionsExecutorBuilder credential(TokenCredential value) {
        this.credential = Objects.requireNonNull(value, "credential");
        return this;
    }

    /** The SDK's HTTP client for Resource Manager and Kudu (for example a {@link RoutingHttpClient}). */
    public AzureFunctionsExecutorBuilder httpClient(HttpClient value) {
        this.httpClient = Objects.requireNonNull(value, "httpClient");
        return this;
    }

    /** A whole SDK pipeline (credential policy included) for Resource Manager and Kudu. */
    public AzureFunctionsExecutorBuilder httpPipeline(HttpPipeline value) {
        this.httpPipeline = Objects.requireNonNull(value, "httpPipeline");
        return this;
    }

    /** How the SDK retries management calls; its default retries 429 and 5xx a few times. */
    public AzureFunctionsExecutorBuilder managementRetry(RetryOptions value) {
        this.retryOptions = Objects.requireNonNull(value, "retryOptions");
        return this;
    }

    /**
     * Sends function calls to this address instead of {@code https://{app}.azurewebsites.net}, naming the app's
     * host in {@code X-Forwarded-Host}: for a local emulator.
     */
    public AzureFunctionsExecutorBuilder functionsEndpoint(URI value) {
        this.functionsEndpoint = Objects.requireNonNull(value, "functionsEndpoint");
        return this;
    }

    /** The JDK client function calls are sent with (it stays the caller's); one is made by default. */
    public AzureFunctionsExecutorBuilder functionsClient(java.net.http.HttpClient value) {
        this.functionsClient = Objects.requireNonNull(value, "functionsClient");
        return this;
    }

    /**
     * Everything at a local emulator: Resource Manager, Kudu and the Functions host through a
     * {@link RoutingHttpClient}, function calls to the same address, and (unless a credential is given) a fixed
     * local token.
     */
    public AzureFunctionsExecutorBuilder localEndpoint(URI value) {
        this.httpClient = RoutingHttpClient.to(value);
        this.functionsEndpoint = value;
        if (credential == null) {
            credential = request -> Mono.just(new AccessToken("faasx-local",
                    OffsetDateTime.now(ZoneOffset.UTC).plusHours(1)));
        }
        return this;
    }

    /** The start of every app name (app names are global in Azure); by default {@code faasx-} and a hash. */
    public AzureFunctionsExecutorBuilder appNamePrefix(String value) {
        this.appNamePrefix = AppNames.checkPrefix(Objects.requireNonNull(value, "appNamePrefix"));
        return this;
    }

    /** The app's stack: {@code Java|17} (the default) gives the image a JVM to run the adapter. */
    public AzureFunctionsExecutorBuilder linuxFxVersion(String value) {
        this.linuxFxVersion = Objects.requireNonNull(value, "linuxFxVersion");
        return this;
    }

    /** The shaded faas-azure-function JAR that runs native bootstrap packages. */
    public AzureFunctionsExecutorBuilder adapterJar(byte[] value) {
        this.adapterJar = Objects.requireNonNull(value, "adapterJar").clone();
        return this;
    }

    public AzureFunctionsExecutorBuilder adapterJar(Path value) {
        try {
            return adapterJar(Files.readAllBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the adapter JAR " + value, e);
        }
    }

    /** The storage account connection string the Functions host needs on Azure ({@code AzureWebJobsStorage}). */
    public AzureFunctionsExecutorBuilder storageConnectionString(String value) {
        this.storageConnectionString = Objects.requireNonNull(value, "storageConnectionString");
        return this;
    }

    /** How long deploy waits for Kudu to finish the deployment; 10 minutes by default. */
    public AzureFunctionsExecutorBuilder deployTimeout(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("deployTimeout must be positive, was " + value);
        }
        this.deployTimeout = value;
        return this;
    }

    /** How often deploy asks Kudu about the deployment; 2 s by default. */
    public AzureFunctionsExecutorBuilder pollInterval(Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, was " + value);
        }
        this.pollInterval = value;
        return this;
    }

    /** The environment the defaults are read from; the process environment by default. */
    public AzureFunctionsExecutorBuilder environment(Map<String, String> value) {
        this.environment = Map.copyOf(value);
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the setting that is missing or wrong
     */
    public AzureFunctionsExecutor build() {
        String subscription = required(subscriptionId, "AZURE_SUBSCRIPTION_ID", "subscription id",
                "subscriptionId");
        String group = required(resourceGroup, "AZURE_RESOURCE_GROUP", "resource group", "resourceGroup");
        String location = region != null ? region : environment.get("AZURE_LOCATION") != null
                && environment.get("AZURE_REGION") == null ? environment.get("AZURE_LOCATION")
                : required(null, "AZURE_REGION", "region", "region");
        String tenant = tenantId != null ? tenantId : environment.get("AZURE_TENANT_ID");
        AzureProfile profile = new AzureProfile(tenant, subscription, AzureEnvironment.AZURE);
        AppServiceManager manager;
        if (httpPipeline != null) {
            manager = AppServiceManager.authenticate(httpPipeline, profile);
        } else {
            AppServiceManager.Configurable configurable = AppServiceManager.configure();
            if (httpClient != null) {
                configurable = configurable.withHttpClient(httpClient);
            }
            if (retryOptions != null) {
                configurable = configurable.withRetryOptions(retryOptions);
            }
            TokenCredential c = credential;
            if (c == null) {
                DefaultAzureCredentialBuilder defaults = new DefaultAzureCredentialBuilder();
                if (tenant != null) {
                    defaults.tenantId(tenant);
                }
                c = defaults.build();
            }
            manager = configurable.authenticate(c, profile);
        }
        String prefix = appNamePrefix != null ? appNamePrefix : AppNames.defaultPrefix(subscription, group);
        HttpTransport.Builder transport = HttpTransport.builder(AzureFunctionsExecutor.PROVIDER)
                .maxResponseBytes(256L << 20);
        if (functionsClient != null) {
            transport.client(functionsClient);
        } else {
            transport.connectTimeout(Duration.ofSeconds(10));
            if (functionsEndpoint != null) {
                transport.version(java.net.http.HttpClient.Version.HTTP_1_1);
            }
        }
        return new AzureFunctionsExecutor(this, new FunctionApps(manager, group, location,
                JsonMapper.builder().build()), transport.build(), prefix);
    }

    String required(String value, String env, String what, String method) {
        if (value != null && !value.isBlank()) {
            return value;
        }
        String fromEnv = environment.get(env);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        throw new IllegalArgumentException("no " + what + " for Azure Functions: set builder()." + method
                + "(...) or the environment variable " + env);
    }
}
