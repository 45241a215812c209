package dev.faasx.digitalocean;

import dev.faasx.core.internal.Checks;
import dev.faasx.core.internal.http.HttpTransport;
import dev.faasx.core.spec.PayloadEncoding;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Builds a {@link DigitalOceanFunctionsExecutor}. Every setting has a default but the token, which defaults to the
 * {@code DIGITALOCEAN_TOKEN} environment variable; {@link #build()} says what is missing. Bad settings are refused
 * with an {@link IllegalArgumentException} naming them.
 *
 * <pre>{@code
 * DigitalOceanFunctionsExecutor executor = DigitalOceanFunctionsExecutor.builder()
 *     .token(token)
 *     .region("ams3")
 *     .namespaceLabel("jobs")
 *     .build();
 * }</pre>
 *
 * <p>Not thread-safe; the executor it builds is.
 */
public final class DigitalOceanFunctionsExecutorBuilder {
    /** Regions where DigitalOcean Functions namespaces can be created. */
    public static final java.util.List<String> REGIONS = java.util.List.of("ams3", "blr1", "fra1", "lon1", "nyc1",
            "sfo3", "sgp1", "syd1", "tor1");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}");
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,40}");

    private String token;
    private URI apiBase = DigitalOceanFunctionsExecutor.DEFAULT_API_BASE;
    private String region = "nyc1";
    private String namespaceLabel = "faasx";
    private String namespace;
    private boolean createNamespace = true;
    private String actionPrefix = "faasx-job-";
    private HttpClient httpClient;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration apiTimeout = Duration.ofSeconds(60);
    private Duration answerMargin = Duration.ofSeconds(30);
    private Duration pollInterval = Duration.ofMillis(100);
    private Duration maxPollInterval = Duration.ofSeconds(2);
    private int invocationThreads = HttpTransport.DEFAULT_INVOCATION_THREADS;
    private PayloadEncoding encoding = PayloadEncoding.BASE64;
    private boolean healthProbe;

    DigitalOceanFunctionsExecutorBuilder() {
    }

    /** The settings the executor runs with. */
    record Settings(URI apiBase, String region, String namespaceLabel, String namespace, boolean createNamespace,
                    String actionPrefix, Duration apiTimeout, Duration answerMargin, Duration pollInterval,
                    Duration maxPollInterval, PayloadEncoding encoding, boolean healthProbe) {
    }

    /** The DigitalOcean API token (a personal access token with Functions read and write). */
    public DigitalOceanFunctionsExecutorBuilder token(String value) {
        if (Objects.requireNonNull(value, "token").isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        this.token = value.strip();
        return this;
    }

    /** DigitalOcean's API (default {@code https://api.digitalocean.com}); a local emulator's URL in tests. */
    public DigitalOceanFunctionsExecutorBuilder apiBaseUrl(URI value) {
        Objects.requireNonNull(value, "apiBaseUrl");
        if (value.getHost() == null || !("https".equals(value.getScheme()) || "http".equals(value.getScheme()))) {
            throw new IllegalArgumentException("apiBaseUrl must be an http(s) URL, was " + value);
        }
        this.apiBase = value;
        return this;
    }

    /** The region a missing namespace is created in (default {@code nyc1}). */
    public DigitalOceanFunctionsExecutorBuilder region(String value) {
        if (!REGIONS.contains(value)) {
            throw new IllegalArgumentException("region must be one of " + REGIONS + ", was " + value);
        }
        this.region = value;
        return this;
    }

    /** The label of the namespace to use, created when missing (default {@code faasx}). */
    public DigitalOceanFunctionsExecutorBuilder namespaceLabel(String value) {
        if (value == null || !LABEL.matcher(value).matches()) {
            throw new IllegalArgumentException("namespaceLabel must be 1-63 letters, digits, spaces, '.', '_' or"
                    + " '-', was " + value);
        }
        this.namespaceLabel = value;
        return this;
    }

    /** Uses the existing namespace with this name ({@code fn-…}) instead of looking one up by label. */
    public DigitalOceanFunctionsExecutorBuilder namespace(String value) {
        if (value == null || !value.matches("[A-Za-z0-9-]{1,100}")) {
            throw new IllegalArgumentException("namespace must be a namespace name such as fn-1234…, was " + value);
        }
        this.namespace = value;
        return this;
    }

    /** Whether a missing namespace is created (default {@code true}). */
    public DigitalOceanFunctionsExecutorBuilder createNamespace(boolean value) {
        this.createNamespace = value;
        return this;
    }

    /** The prefix of action names (default {@code faasx-job-}, so job 7 is {@code faasx-job-7}). */
    public DigitalOceanFunctionsExecutorBuilder actionPrefix(String value) {
        if (value == null || !PREFIX.matcher(value).matches()) {
            throw new IllegalArgumentException("actionPrefix must be 1-41 letters, digits, '.', '_' or '-', was "
                    + value);
        }
        this.actionPrefix = value;
        return this;
    }

    /** The HTTP client to send with; it stays the caller's. Default: one the executor creates and closes. */
    public DigitalOceanFunctionsExecutorBuilder httpClient(HttpClient value) {
        this.httpClient = Objects.requireNonNull(value, "httpClient");
        return this;
    }

    /** Connect timeout of the client the executor creates (default 10 s). */
    public DigitalOceanFunctionsExecutorBuilder connectTimeout(Duration value) {
        this.connectTimeout = Checks.positive(value, "connectTimeout");
        return this;
    }

    /** Timeout of management calls (default 60 s). */
    public DigitalOceanFunctionsExecutorBuilder apiTimeout(Duration value) {
        this.apiTimeout = Checks.positive(value, "apiTimeout");
        return this;
    }

    /** How much longer than the job's timeout an invocation is waited for, polling included (default 30 s). */
    public DigitalOceanFunctionsExecutorBuilder answerMargin(Duration value) {
        this.answerMargin = Checks.notNegative(value, "answerMargin");
        return this;
    }

    /** The first wait before polling an accepted activation (default 100 ms), doubling up to the maximum. */
    public DigitalOceanFunctionsExecutorBuilder pollInterval(Duration first, Duration max) {
        this.pollInterval = Checks.positive(first, "pollInterval");
        this.maxPollInterval = Checks.positive(max, "maxPollInterval");
        if (max.compareTo(first) < 0) {
            throw new IllegalArgumentException("the maximum poll interval must not be shorter than the first");
        }
        return this;
    }

    /** How many invocations are sent at once on the executor's threads (default 64). */
    public DigitalOceanFunctionsExecutorBuilder invocationThreads(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("invocationThreads must be at least 1, was " + value);
        }
        this.invocationThreads = value;
        return this;
    }

    /** How payload bytes travel (default {@link PayloadEncoding#BASE64}, which fits the 1 MB limit best). */
    public DigitalOceanFunctionsExecutorBuilder encoding(PayloadEncoding value) {
        this.encoding = Objects.requireNonNull(value, "encoding");
        return this;
    }

    /** Whether {@code healthCheck} also sends a warm-up invocation (default: it only checks the action exists). */
    public DigitalOceanFunctionsExecutorBuilder healthProbe(boolean value) {
        this.healthProbe = value;
        return this;
    }

    /**
     * @throws IllegalStateException when no token was given and {@code DIGITALOCEAN_TOKEN} is not set
     */
    public DigitalOceanFunctionsExecutor build() {
        String t = token != null ? token : System.getenv("DIGITALOCEAN_TOKEN");
        if (t == null || t.isBlank()) {
            throw new IllegalStateException("no DigitalOcean API token: pass token(...) or set DIGITALOCEAN_TOKEN");
        }
        String bearer = "Bearer " + t.strip();
        Settings settings = new Settings(apiBase, region, namespaceLabel, namespace, createNamespace, actionPrefix,
                apiTimeout, answerMargin, pollInterval, maxPollInterval, encoding, healthProbe);
        HttpClient client = httpClient != null ? httpClient : HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpTransport control = HttpTransport.builder("digitalocean").client(client).invocationThreads(0)
                .authHeaders(() -> Map.of("Authorization", bearer)).build();
        // The data transport's credentials are the namespace's, known once it is resolved.
        AtomicReference<DigitalOceanFunctionsExecutor> self = new AtomicReference<>();
        HttpTransport.Builder dataBuilder = HttpTransport.builder("digitalocean").invocationThreads(invocationThreads)
                .authHeaders(() -> DigitalOceanFunctionsExecutor.basicAuth(self.get().namespaces()));
        HttpTransport data = (httpClient != null ? dataBuilder.client(client) : dataBuilder.ownedClient(client))
                .build();
        DigitalOceanFunctionsExecutor executor = new DigitalOceanFunctionsExecutor(settings, control, data);
        self.set(executor);
        return executor;
    }
}
