package dev.faasx.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.core.ErrorContext;
import dev.faasx.core.InvalidRequestException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The account and the secret that {@link CloudflareWorkersExecutor} uses on Cloudflare's API: an API token
 * ({@code Authorization: Bearer}, preferred) or an account e-mail with the global API key
 * ({@code X-Auth-Email} + {@code X-Auth-Key}), plus the account id.
 *
 * <p>From the environment: {@code CLOUDFLARE_ACCOUNT_ID} and {@code CLOUDFLARE_API_TOKEN}, or
 * {@code CLOUDFLARE_ACCOUNT_ID}, {@code CLOUDFLARE_EMAIL} and {@code CLOUDFLARE_API_KEY}. From a JSON file:
 * {@code {"account_id":"…","api_token":"…"}} or {@code {"account_id":"…","email":"…","api_key":"…"}}. When a token
 * and a key are both given, the token is used. A missing or half-given credential fails with an
 * {@link InvalidRequestException} that names each missing variable.
 *
 * <pre>{@code
 * CloudflareCredentials fromEnv = CloudflareCredentials.fromEnvironment();
 * CloudflareCredentials token = CloudflareCredentials.apiToken(accountId, System.getenv("MY_CF_TOKEN"));
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows the secret.
 */
public final class CloudflareCredentials {
    public static final String ENV_ACCOUNT_ID = "CLOUDFLARE_ACCOUNT_ID";
    public static final String ENV_API_TOKEN = "CLOUDFLARE_API_TOKEN";
    public static final String ENV_EMAIL = "CLOUDFLARE_EMAIL";
    public static final String ENV_API_KEY = "CLOUDFLARE_API_KEY";

    private static final Pattern ACCOUNT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HEADER_SAFE = Pattern.compile("[\\x21-\\x7e]+");
    private static final String PROVIDER = CloudflareWorkersExecutor.PROVIDER;

    /** How the credentials authenticate. */
    public enum Scheme {
        /** {@code Authorization: Bearer <token>}. */
        API_TOKEN,
        /** {@code X-Auth-Email} and {@code X-Auth-Key} (the global API key). */
        GLOBAL_API_KEY
    }

    private final String accountId;
    private final Scheme scheme;
    private final String token;
    private final String email;
    private final String key;

    private CloudflareCredentials(String accountId, Scheme scheme, String token, String email, String key) {
        this.accountId = accountId;
        this.scheme = scheme;
        this.token = token;
        this.email = email;
        this.key = key;
    }

    /** An API token for {@code accountId}. */
    public static CloudflareCredentials apiToken(String accountId, String apiToken) {
        checkAccount(accountId);
        checkSecret(apiToken, "API token");
        return new CloudflareCredentials(accountId, Scheme.API_TOKEN, apiToken, null, null);
    }

    /** The account's e-mail and global API key, for {@code accountId}. */
    public static CloudflareCredentials globalApiKey(String accountId, String email, String apiKey) {
        checkAccount(accountId);
        checkSecret(email, "e-mail");
        checkSecret(apiKey, "API key");
        return new CloudflareCredentials(accountId, Scheme.GLOBAL_API_KEY, null, email, apiKey);
    }

    /** From this process's environment variables (see the class description). */
    public static CloudflareCredentials fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** From the given environment (see the class description); handy for tests and for other sources. */
    public static CloudflareCredentials fromEnvironment(Map<String, String> env) {
        return resolve(name -> env.get(name), List.of(ENV_ACCOUNT_ID, ENV_API_TOKEN, ENV_EMAIL, ENV_API_KEY),
                "environment variable");
    }

    /** From a JSON file with {@code account_id} and {@code api_token}, or {@code email} and {@code api_key}. */
    public static CloudflareCredentials fromFile(Path file) {
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new InvalidRequestException("cannot read Cloudflare credentials from " + file + ": "
                    + e.getMessage(), List.of("unreadable credentials file " + file), ErrorContext.of(PROVIDER), e);
        }
        if (node == null || !node.isObject()) {
            throw new InvalidRequestException("Cloudflare credentials file " + file + " must hold a JSON object",
                    ErrorContext.of(PROVIDER));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (e.getValue().isTextual()) {
                fields.put(e.getKey(), e.getValue().asText());
            }
        });
        return resolve(fields::get, List.of("account_id", "api_token", "email", "api_key"),
                "field of " + file + ":");
    }

    private interface Source {
        String get(String name);
    }

    private static CloudflareCredentials resolve(Source source, List<String> names, String what) {
        String account = blankToNull(source.get(names.get(0)));
        String token = blankToNull(source.get(names.get(1)));
        String email = blankToNull(source.get(names.get(2)));
        String key = blankToNull(source.get(names.get(3)));
        List<String> missing = new ArrayList<>();
        if (account == null) {
            missing.add(what + " " + names.get(0) + " is not set");
        }
        if (token == null) {
            if (email == null && key == null) {
                missing.add(what + " " + names.get(1) + " is not set (or set " + names.get(2) + " and "
                        + names.get(3) + " for a global API key)");
            } else if (email == null) {
                missing.add(what + " " + names.get(2) + " is not set (" + names.get(3)
                        + " is; a global API key needs both)");
            } else if (key == null) {
                missing.add(what + " " + names.get(3) + " is not set (" + names.get(2)
                        + " is; a global API key needs both)");
            }
        }
        if (!missing.isEmpty()) {
            throw new InvalidRequestException("Cloudflare credentials are incomplete: " + String.join("; ", missing),
                    missing, ErrorContext.of(PROVIDER), null);
        }
        try {
            return token != null ? apiToken(account, token) : globalApiKey(account, email, key);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), ErrorContext.of(PROVIDER));
        }
    }

    public String accountId() {
        return accountId;
    }

    public Scheme scheme() {
        return scheme;
    }

    /** The e-mail of a global API key credential. */
    public Optional<String> email() {
        return Optional.ofNullable(email);
    }

    /** The HTTP headers that authenticate a request with these credentials. */
    public Map<String, String> authHeaders() {
        return scheme == Scheme.API_TOKEN ? Map.of("Authorization", "Bearer " + token)
                : Map.of("X-Auth-Email", email, "X-Auth-Key", key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CloudflareCredentials c && accountId.equals(c.accountId) && scheme == c.scheme
                && Objects.equals(token, c.token) && Objects.equals(email, c.email) && Objects.equals(key, c.key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(accountId, scheme, token, email, key);
    }

    @Override
    public String toString() {
        return "CloudflareCredentials[account=" + accountId + ", " + scheme
                + (email != null ? ", email=" + email : "") + ", secret=***]";
    }

    private static void checkAccount(String accountId) {
        Objects.requireNonNull(accountId, "accountId");
        if (!ACCOUNT_ID.matcher(accountId).matches()) {
            throw new IllegalArgumentException("Cloudflare account id must be letters, digits, '-' or '_'");
        }
    }

    private static void checkSecret(String value, String what) {
        Objects.requireNonNull(value, what);
        if (!HEADER_SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException("Cloudflare " + what + " must be non-empty printable ASCII without "
                    + "spaces");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
