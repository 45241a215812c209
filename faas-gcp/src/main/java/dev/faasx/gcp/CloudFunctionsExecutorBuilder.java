package dev.faasx.gcp;

import com.google.api.gax.core.FixedCredentialsProvider;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdTokenProvider;
import com.google.auth.oauth2.ServiceAccountCredentials;
import com.google.cloud.functions.v2.FunctionServiceClient;
import com.google.cloud.functions.v2.FunctionServiceSettings;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.spec.PayloadEncoding;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builds a {@link CloudFunctionsExecutor}. The project id and region come from here or from the environment
 * ({@code GOOGLE_CLOUD_PROJECT} or the credentials' project; {@code GOOGLE_CLOUD_REGION} or
 * {@code FUNCTION_REGION}). Without an injected client the executor builds one with the credentials given here
 * or with Application Default Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's, or the metadata
 * server's). ID tokens come from {@link #idTokenProvider}, else from those credentials. Not thread-safe.
 */
public final class CloudFunctionsExecutorBuilder {
    String projectId;
    String region;
    String prefix = "faasx";
    FunctionServiceClient client;
    GoogleCredentials credentials;
    IdTokenProvider idTokenProvider;
    Map<String, String> environment = System.getenv();
    PayloadEncoding encoding = PayloadEncoding.BASE64;
    Duration pollInitialDelay = Duration.ofMillis(500);
    Duration pollMaxDelay = Duration.ofSeconds(10);
    Duration deployTimeout = Duration.ofMinutes(15);
    Duration tokenRefreshMargin = Duration.ofMinutes(5);
    Clock clock = Clock.systemUTC();

    CloudFunctionsExecutorBuilder() {
    }

    /** The Google Cloud project; default {@code GOOGLE_CLOUD_PROJECT} or the credentials' project. */
    public CloudFunctionsExecutorBuilder projectId(String value) {
        this.projectId = Objects.requireNonNull(value, "projectId");
        return this;
    }

    /** The region, for example {@code europe-west1}; default {@code GOOGLE_CLOUD_REGION} or {@code FUNCTION_REGION}. */
    public CloudFunctionsExecutorBuilder region(String value) {
        this.region = Objects.requireNonNull(value, "region");
        return this;
    }

    /** The start of every function id ({@code {prefix}-job-{id}}); default {@code faasx}. */
    public CloudFunctionsExecutorBuilder functionNamePrefix(String value) {
        this.prefix = value;
        return this;
    }

    /** A client to use instead of building one; the caller keeps it and closes it. */
    public CloudFunctionsExecutorBuilder client(FunctionServiceClient value) {
        this.client = Objects.requireNonNull(value, "client");
        return this;
    }

    /** Credentials for the API client and ID tokens; default Application Default Credentials. */
    public CloudFunctionsExecutorBuilder credentials(GoogleCredentials value) {
        this.credentials = Objects.requireNonNull(value, "credentials");
        return this;
    }

    /** Where ID tokens for the functions' URLs come from; default the credentials. */
    public CloudFunctionsExecutorBuilder idTokenProvider(IdTokenProvider value) {
        this.idTokenProvider = Objects.requireNonNull(value, "idTokenProvider");
        return this;
    }

    /** The environment to read project and region from; default the process environment. */
    public CloudFunctionsExecutorBuilder environment(Map<String, String> value) {
        this.environment = Map.copyOf(value);
        return this;
    }

    /**
     * How the body travels in the invoke JSON: {@link PayloadEncoding#BASE64} (default; the faasx adapter reads
     * it) or {@link PayloadEncoding#BYTE_ARRAY} (spec v1).
     */
    public CloudFunctionsExecutorBuilder payloadEncoding(PayloadEncoding value) {
        this.encoding = Objects.requireNonNull(value, "payloadEncoding");
        return this;
    }

    /**
     * How deployments poll their long-running operation: first after {@code initialDelay}, then each delay half
     * as long again up to {@code maxDelay}; default 500 ms and 10 s.
     */
    public CloudFunctionsExecutorBuilder operationPolling(Duration initialDelay, Duration maxDelay) {
        this.pollInitialDelay = positive(initialDelay, "initialDelay");
        this.pollMaxDelay = positive(maxDelay, "maxDelay");
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must not be shorter than initialDelay");
        }
        return this;
    }

    /** The longest a deployment or deletion waits for its operation; default 15 minutes. */
    public CloudFunctionsExecutorBuilder deployTimeout(Duration value) {
        this.deployTimeout = positive(value, "deployTimeout");
        return this;
    }

    /** How long before expiry a cached ID token is replaced; default 5 minutes. */
    public CloudFunctionsExecutorBuilder idTokenRefreshMargin(Duration value) {
        Objects.requireNonNull(value, "idTokenRefreshMargin");
        if (value.isNegative()) {
            throw new IllegalArgumentException("idTokenRefreshMargin must not be negative");
        }
        this.tokenRefreshMargin = value;
        return this;
    }

    /** The clock for token expiry; default the system clock. */
    public CloudFunctionsExecutorBuilder clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /**
     * @throws IllegalArgumentException when the project id or region is missing or invalid (naming which), or
     *                                  the name prefix is invalid
     * @throws AccessDeniedException    when no client is given and no credentials can be found
     */
    public CloudFunctionsExecutor build() {
        GoogleCredentials creds = credentials;
        String project = firstNonBlank(projectId, environment.get("GOOGLE_CLOUD_PROJECT"),
                environment.get("GCLOUD_PROJECT"),
                creds instanceof ServiceAccountCredentials sa ? sa.getProjectId() : null);
        String reg = firstNonBlank(region, environment.get("GOOGLE_CLOUD_REGION"), environment.get("FUNCTION_REGION"));
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (project == null) {
            missing.add("the project id is not set: call projectId(...) or set GOOGLE_CLOUD_PROJECT");
        }
        if (reg == null) {
            missing.add("the region is not set: call region(...) or set GOOGLE_CLOUD_REGION");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", missing));
        }
        FunctionServiceClient api = client;
        boolean owns = false;
        if (api == null) {
            if (creds == null) {
                creds = applicationDefault();
            }
            try {
                api = FunctionServiceClient.create(FunctionServiceSettings.newBuilder()
                        .setCredentialsProvider(FixedCredentialsProvider.create(creds)).build());
            } catch (IOException e) {
                throw new AccessDeniedException("cannot create the Cloud Functions client: " + e.getMessage(),
                        ErrorContext.of(CloudFunctionsExecutor.PROVIDER), e);
            }
            owns = true;
        }
        GoogleCredentials forTokens = creds;
        IdTokenProvider explicit = idTokenProvider;
        Supplier<IdTokenProvider> tokens = () -> {
            if (explicit != null) {
                return explicit;
            }
            GoogleCredentials c = forTokens != null ? forTokens : applicationDefault();
            if (c instanceof IdTokenProvider p) {
                return p;
            }
            throw new IllegalStateException("credentials of type " + c.getClass().getSimpleName() + " cannot"
                    + " sign ID tokens: use a service account key, impersonated, user or Compute Engine"
                    + " credentials, or set idTokenProvider(...)");
        };
        try {
            return new CloudFunctionsExecutor(this, project, reg, api, owns, memoize(tokens));
        } catch (RuntimeException e) {
            if (owns) {
                api.close();
            }
            throw e;
        }
    }

    private static Supplier<IdTokenProvider> memoize(Supplier<IdTokenProvider> supplier) {
        return new Supplier<>() {
            private IdTokenProvider value;

            @Override
            public synchronized IdTokenProvider get() {
                if (value == null) {
                    value = supplier.get();
                }
                return value;
            }
        };
    }

    private static GoogleCredentials applicationDefault() {
        try {
            return GoogleCredentials.getApplicationDefault();
        } catch (IOException e) {
            throw new AccessDeniedException("no Google credentials found: set GOOGLE_APPLICATION_CREDENTIALS to a"
                    + " key file, run 'gcloud auth application-default login', or pass credentials(...) ("
                    + e.getMessage() + ")", ErrorContext.of(CloudFunctionsExecutor.PROVIDER), e);
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }

    private static Duration positive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }
}
