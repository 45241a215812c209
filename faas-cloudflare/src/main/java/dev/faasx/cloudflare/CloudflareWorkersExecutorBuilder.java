package dev.faasx.cloudflare;

import dev.faasx.core.spec.PayloadEncoding;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Configures a {@link CloudflareWorkersExecutor}. Everything has a default except the credentials, which default to
 * {@link CloudflareCredentials#fromEnvironment()} (so {@link #build()} names any missing variable).
 *
 * <pre>{@code
 * CloudflareWorkersExecutor executor = CloudflareWorkersExecutor.builder()
 *     .credentialsFile(Path.of("cloudflare.json"))
 *     .compatibilityDate("2025-09-01")
 *     .invocationSecret(System.getenv("FAASX_WORKER_SECRET"))
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; the executor it builds is.
 */
public final class CloudflareWorkersExecutorBuilder {
    /** How many invocations are sent on the executor's own threads at once by default. */
    public static final int DEFAULT_INVOCATION_THREADS = 64;

    /** The settings an executor is built from. */
    record Settings(CloudflareCredentials credentials, URI apiBase, HttpClient http, String workerUrlTemplate,
                    Function<String, URI> workerUrls, String compatibilityDate, List<String> compatibilityFlags,
                    String scriptNamePrefix, String dataset, Duration analyticsPollInterval, PayloadEncoding encoding,
                    String invocationSecret, Duration readinessTimeout, Duration apiTimeout,
                    int invocationThreads) {
    }

    private CloudflareCredentials credentials;
    private URI apiBase = CloudflareWorkersExecutor.DEFAULT_API_BASE;
    private HttpClient http;
    private String workerUrlTemplate = CloudflareWorkersExecutor.DEFAULT_WORKER_URL_TEMPLATE;
    private Function<String, URI> workerUrls;
    private String compatibilityDate = WorkerScript.DEFAULT_COMPATIBILITY_DATE;
    private List<String> compatibilityFlags = List.of();
    private String scriptNamePrefix = "faasx-job-";
    private String dataset = "faasx_invocations";
    private Duration analyticsPollInterval = Duration.ofSeconds(5);
    private PayloadEncoding encoding = PayloadEncoding.BASE64;
    private String invocationSecret;
    private Duration readinessTimeout = Duration.ofMinutes(2);
    private Duration apiTimeout = Duration.ofMinutes(1);
    private int invocationThreads = DEFAULT_INVOCATION_THREADS;

    CloudflareWorkersExecutorBuilder() {
    }

    /** The account and secret to use. */
    public CloudflareWorkersExecutorBuilder credentials(CloudflareCredentials value) {
        this.credentials = Objects.requireNonNull(value, "credentials");
        return this;
    }

    /** Credentials from a JSON file (see {@link CloudflareCredentials#fromFile(Path)}). */
    public CloudflareWorkersExecutorBuilder credentialsFile(Path file) {
        return credentials(CloudflareCredentials.fromFile(file));
    }

    /** The API's base URL (default {@code https://api.cloudflare.com/client/v4}); for example a local API's. */
    public CloudflareWorkersExecutorBuilder apiBaseUrl(URI value) {
        this.apiBase = Objects.requireNonNull(value, "apiBaseUrl");
        return this;
    }

    /** The HTTP client for the API and the Workers; by default one made for this executor. */
    public CloudflareWorkersExecutorBuilder httpClient(HttpClient value) {
        this.http = Objects.requireNonNull(value, "httpClient");
        return this;
    }

    /**
     * Where Workers answer, with {@code {script}} and optionally {@code {subdomain}} (the account's workers.dev
     * subdomain, read once from the API). Default {@code https://{script}.{subdomain}.workers.dev/}.
     */
    public CloudflareWorkersExecutorBuilder workerUrlTemplate(String value) {
        if (!value.contains("{script}")) {
            throw new IllegalArgumentException("the worker URL template needs a {script} placeholder");
        }
        this.workerUrlTemplate = value;
        this.workerUrls = null;
        return this;
    }

    /** Where Workers answer, computed from the script name (for example straight to a local workerd). */
    public CloudflareWorkersExecutorBuilder workerUrls(Function<String, URI> value) {
        this.workerUrls = Objects.requireNonNull(value, "workerUrls");
        return this;
    }

    /** The Workers compatibility date of deployed scripts (default {@value WorkerScript#DEFAULT_COMPATIBILITY_DATE}). */
    public CloudflareWorkersExecutorBuilder compatibilityDate(String value) {
        if (!value.matches("\\d{4}-\\d{2}-\\d{2}")) {
            throw new IllegalArgumentException("compatibility date must be YYYY-MM-DD");
        }
        this.compatibilityDate = value;
        return this;
    }

    /** Compatibility flags of deployed scripts, for example {@code nodejs_compat}. */
    public CloudflareWorkersExecutorBuilder compatibilityFlags(List<String> value) {
        this.compatibilityFlags = List.copyOf(value);
        return this;
    }

    /** The prefix of script names (default {@code faasx-job-}, giving {@code faasx-job-7}). */
    public CloudflareWorkersExecutorBuilder scriptNamePrefix(String value) {
        new dev.faasx.cloudflare.internal.ScriptNames(value);
        this.scriptNamePrefix = value;
        return this;
    }

    /** The Analytics Engine dataset invocations are recorded in (default {@code faasx_invocations}). */
    public CloudflareWorkersExecutorBuilder analyticsDataset(String value) {
        WorkerBinding.analyticsEngine("CHECK", value);
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
        this.analyticsPollInterval = positive(value, "analyticsPollInterval");
        return this;
    }

    /** How payloads travel (default {@link PayloadEncoding#BASE64}; {@code BYTE_ARRAY} is spec v1's form). */
    public CloudflareWorkersExecutorBuilder payloadEncoding(PayloadEncoding value) {
        this.encoding = Objects.requireNonNull(value, "payloadEncoding");
        return this;
    }

    /**
     * A secret that deployed Workers require (header {@code x-faasx-secret}) before they run a job, so that only
     * holders of the secret can invoke the public workers.dev URL. Deployed as a {@code secret_text} binding.
     */
    public CloudflareWorkersExecutorBuilder invocationSecret(String value) {
        if (value == null || value.length() < 16 || !value.matches("[\\x21-\\x7e]+")) {
            throw new IllegalArgumentException("the invocation secret must be at least 16 printable ASCII characters");
        }
        this.invocationSecret = value;
        return this;
    }

    /** How long deploy waits for the new version to answer on its URL (default 2 minutes). */
    public CloudflareWorkersExecutorBuilder readinessTimeout(Duration value) {
        this.readinessTimeout = positive(value, "readinessTimeout");
        return this;
    }

    /** The timeout of each API request (default 1 minute). */
    public CloudflareWorkersExecutorBuilder apiTimeout(Duration value) {
        this.apiTimeout = positive(value, "apiTimeout");
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
            throw new IllegalArgumentException("invocationThreads must be 0 or more, not " + value);
        }
        this.invocationThreads = value;
        return this;
    }

    /**
     * @throws dev.faasx.core.InvalidRequestException when no credentials were given and the environment lacks them
     */
    public CloudflareWorkersExecutor build() {
        CloudflareCredentials creds = credentials != null ? credentials : CloudflareCredentials.fromEnvironment();
        HttpClient client = http != null ? http : HttpClient.newBuilder()
                .version("http".equals(apiBase.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new CloudflareWorkersExecutor(new Settings(creds, apiBase, client, workerUrlTemplate, workerUrls,
                compatibilityDate, compatibilityFlags, scriptNamePrefix, dataset, analyticsPollInterval, encoding,
                invocationSecret, readinessTimeout, apiTimeout, invocationThreads));
    }

    private static Duration positive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }
}
