package dev.faasx.cloudflare;

import dev.faasx.core.internal.Checks;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.PayloadEncoding;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Configures a {@link CloudflareWorkersExecutor}. Everything has a default except the credentials, which default to
 * {@link CloudflareCredentials#fromEnvironment()} (so {@link #build()} names any missing variable).
 *
 * <pre>{@code
 * CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
 *     .credentialsFile(Path.of("cloudflare.json"))
 *     .compatibilityDate("2025-09-01")
 *     .credentials(() -> CloudflareCredentials.apiToken(accountId, tokenStore.current()))
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; the executor it builds is.
 */
public final class CloudflareWorkersExecutorBuilder {
    /** How many invocations are sent on the executor's own threads at once by default. */
    public static final int DEFAULT_INVOCATION_THREADS = 64;

    /** The settings an executor is built from. */
    record Settings(Supplier<CloudflareCredentials> credentials, URI apiBase, HttpClient http, boolean ownsHttp,
                    String workerUrlTemplate, Function<String, URI> workerUrls, String compatibilityDate,
                    List<String> compatibilityFlags, String scriptNamePrefix, String dataset,
                    Duration analyticsPollInterval, PayloadEncoding encoding, SecretMode secretMode,
                    String invocationSecret, Duration readinessTimeout, Duration apiTimeout, int invocationThreads,
                    long maxResponseBytes) {
    }

    /** How deployed Workers are protected. */
    enum SecretMode {
        /** A fresh random secret for every deployment (the default). */
        RANDOM_PER_DEPLOYMENT,
        /** The one secret given to the builder. */
        FIXED,
        /** No secret: anyone who knows the URL can invoke. */
        NONE
    }

    private Supplier<CloudflareCredentials> credentials;
    private URI apiBase = CloudflareWorkersExecutor.DEFAULT_API_BASE;
    private HttpClient http;
    private String workerUrlTemplate = CloudflareWorkersExecutor.DEFAULT_WORKER_URL_TEMPLATE;
    private Function<String, URI> workerUrls;
    private String compatibilityDate = CloudflareWorkersExecutor.DEFAULT_COMPATIBILITY_DATE;
    private List<String> compatibilityFlags = List.of();
    private String scriptNamePrefix = "faasx-job-";
    private String dataset = "faasx_invocations";
    private Duration analyticsPollInterval = Duration.ofSeconds(5);
    private PayloadEncoding encoding = PayloadEncoding.BASE64;
    private SecretMode secretMode = SecretMode.RANDOM_PER_DEPLOYMENT;
    private String invocationSecret;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private long maxResponseBytes = HttpTransport.DEFAULT_MAX_RESPONSE_BYTES;
    private Duration readinessTimeout = Duration.ofMinutes(2);
    private Duration apiTimeout = Duration.ofMinutes(1);
    private int invocationThreads = DEFAULT_INVOCATION_THREADS;

    CloudflareWorkersExecutorBuilder() {
    }

    /** The account and secret to use. */
    public CloudflareWorkersExecutorBuilder credentials(CloudflareCredentials value) {
        if (value == null) {
            throw new IllegalArgumentException("credentials must not be null");
        }
        this.credentials = () -> value;
        return this;
    }

    /**
     * Credentials asked for on every API request, so that a rotated API token is used from the next request on
     * (for example a supplier that reads a secret store's current version). The supplier must be cheap and
     * thread-safe; a supplier that fails or gives null fails that request, never the executor.
     */
    public CloudflareWorkersExecutorBuilder credentials(Supplier<CloudflareCredentials> value) {
        if (value == null) {
            throw new IllegalArgumentException("credentials supplier must not be null");
        }
        this.credentials = value;
        return this;
    }

    /** Credentials from a JSON file (see {@link CloudflareCredentials#fromFile(Path)}). */
    public CloudflareWorkersExecutorBuilder credentialsFile(Path file) {
        return credentials(CloudflareCredentials.fromFile(file));
    }

    /** The API's base URL (default {@code https://api.cloudflare.com/client/v4}); for example a local API's. */
    public CloudflareWorkersExecutorBuilder apiBaseUrl(URI value) {
        this.apiBase = notNull(value, "apiBaseUrl");
        return this;
    }

    /** The HTTP client for the API and the Workers; by default one made for this executor. */
    public CloudflareWorkersExecutorBuilder httpClient(HttpClient value) {
        this.http = notNull(value, "httpClient");
        return this;
    }

    /**
     * Where Workers answer, with {@code {script}} and optionally {@code {subdomain}} (the account's workers.dev
     * subdomain, read once from the API). Default {@code https://{script}.{subdomain}.workers.dev/}.
     */
    public CloudflareWorkersExecutorBuilder workerUrlTemplate(String value) {
        if (value == null || !value.contains("{script}")) {
            throw new IllegalArgumentException("workerUrlTemplate needs a {script} placeholder, was " + value);
        }
        this.workerUrlTemplate = value;
        this.workerUrls = null;
        return this;
    }

    /** Where Workers answer, computed from the script name (for example straight to a local workerd). */
    public CloudflareWorkersExecutorBuilder workerUrls(Function<String, URI> value) {
        this.workerUrls = notNull(value, "workerUrls");
        return this;
    }

    /** The Workers compatibility date of deployed scripts (default {@value CloudflareWorkersExecutor#DEFAULT_COMPATIBILITY_DATE}). */
    public CloudflareWorkersExecutorBuilder compatibilityDate(String value) {
        if (value == null || !value.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("compatibilityDate must be YYYY-MM-DD, was " + value);
        }
        this.compatibilityDate = value;
        return this;
    }

    /** Compatibility flags of deployed scripts, for example {@code nodejs_compat}. */
    public CloudflareWorkersExecutorBuilder compatibilityFlags(List<String> value) {
        notNull(value, "compatibilityFlags");
        for (String flag : value) {
            if (flag == null || !flag.matches("[a-z0-9_]{1,128}")) {
                throw new IllegalArgumentException("compatibilityFlags must be lower-case names like nodejs_compat, "
                        + "was " + flag);
            }
        }
        this.compatibilityFlags = List.copyOf(value);
        return this;
    }

    /** The prefix of script names (default {@code faasx-job-}, giving {@code faasx-job-7}). */
    public CloudflareWorkersExecutorBuilder scriptNamePrefix(String value) {
        if (value == null) {
            throw new IllegalArgumentException("scriptNamePrefix must not be null");
        }
        new dev.faasx.cloudflare.internal.ScriptNames(value);
        this.scriptNamePrefix = value;
        return this;
    }

    /** The Analytics Engine dataset invocations are recorded in (default {@code faasx_invocations}). */
    public CloudflareWorkersExecutorBuilder analyticsDataset(String value) {
        if (value == null || !value.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("analyticsDataset must be a letter or '_' then up to 63 letters, digits "
                    + "or '_', was " + value);
        }
        this.dataset = value;
        return this;
    }

    /** Deploys Workers without the Analytics Engine binding (for accounts without Analytics Engine). */
    public CloudflareWorkersExecutorBuilder withoutAnalytics() {
        this.dataset = null;
        return this;
    }

    /** How often {@link AnalyticsQuery} asks again while it waits for records (default 5 s). */
    public CloudflareWorkersExecutorBuilder analyticsPollInterval(Duration value) {
        this.analyticsPollInterval = Checks.positive(value, "analyticsPollInterval");
        return this;
    }

    /** How payloads travel (default {@link PayloadEncoding#BASE64}; {@code BYTE_ARRAY} is spec v1's form). */
    public CloudflareWorkersExecutorBuilder payloadEncoding(PayloadEncoding value) {
        this.encoding = notNull(value, "payloadEncoding");
        return this;
    }

    /**
     * One secret that deployed Workers require (header {@code x-faasx-secret}) before they run a job, shared by every
     * deployment of this executor, so that other executors (other processes) given the same secret can invoke them.
     * Deployed as a {@code secret_text} binding. By default each deployment gets a fresh random secret instead, which
     * only the executor that deployed it knows.
     */
    public CloudflareWorkersExecutorBuilder invocationSecret(String value) {
        if (value == null || value.length() < 16 || !value.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("invocationSecret must be at least 16 printable ASCII characters");
        }
        this.invocationSecret = value;
        this.secretMode = SecretMode.FIXED;
        return this;
    }

    /**
     * Deploys Workers that anyone who knows (or guesses) the URL can invoke: no {@code x-faasx-secret} check. Only
     * for Workers behind other access control, or for tests.
     */
    public CloudflareWorkersExecutorBuilder withoutInvocationSecret() {
        this.invocationSecret = null;
        this.secretMode = SecretMode.NONE;
        return this;
    }

    /** Connect timeout of the HTTP client the executor creates (default 10 s); ignored with {@link #httpClient}. */
    public CloudflareWorkersExecutorBuilder connectTimeout(Duration value) {
        this.connectTimeout = Checks.positive(value, "connectTimeout");
        return this;
    }

    /**
     * Largest answer read from the API or a Worker (default 64 MiB); a larger one fails the call with a
     * {@link dev.faasx.core.ProtocolException} instead of filling the heap.
     */
    public CloudflareWorkersExecutorBuilder maxResponseBytes(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxResponseBytes must be at least 1, was " + value);
        }
        this.maxResponseBytes = value;
        return this;
    }

    /** How long deploy waits for the new version to answer on its URL (default 2 minutes). */
    public CloudflareWorkersExecutorBuilder readinessTimeout(Duration value) {
        this.readinessTimeout = Checks.positive(value, "readinessTimeout");
        return this;
    }

    /** The timeout of each API request (default 1 minute). */
    public CloudflareWorkersExecutorBuilder apiTimeout(Duration value) {
        this.apiTimeout = Checks.positive(value, "apiTimeout");
        return this;
    }

    /**
     * How many invocations may be sent at once on threads the executor owns (default
     * {@value #DEFAULT_INVOCATION_THREADS}). Such an invocation is a blocking {@code HttpClient.send} on a thread that
     * is already running, which answers sooner than {@code sendAsync} (whose completion goes through
     * {@code CompletableFuture}'s default pool: a new thread per call on machines with fewer than three CPUs).
     * Invocations beyond the limit use {@code sendAsync} and hold no thread; 0 sends every invocation that way. Idle
     * threads end after 30 seconds; {@link CloudflareWorkersExecutor#close()} ends them all.
     */
    public CloudflareWorkersExecutorBuilder invocationThreads(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("invocationThreads must be 0 or more, was " + value);
        }
        this.invocationThreads = value;
        return this;
    }

    /**
     * @throws dev.faasx.core.InvalidRequestException when no credentials were given and the environment lacks them
     */
    public CloudflareWorkersExecutor build() {
        Supplier<CloudflareCredentials> creds = credentials;
        if (creds == null) {
            CloudflareCredentials fromEnv = CloudflareCredentials.fromEnvironment();
            creds = () -> fromEnv;
        }
        HttpClient client = http != null ? http : HttpClient.newBuilder()
                .version("http".equals(apiBase.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(connectTimeout).build();
        return new CloudflareWorkersExecutor(new Settings(creds, apiBase, client, http == null, workerUrlTemplate,
                workerUrls, compatibilityDate, compatibilityFlags, scriptNamePrefix, dataset, analyticsPollInterval,
                encoding, secretMode, invocationSecret, readinessTimeout, apiTimeout, invocationThreads,
                maxResponseBytes));
    }

    private static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}
