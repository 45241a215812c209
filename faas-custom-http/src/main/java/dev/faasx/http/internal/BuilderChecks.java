package dev.faasx.http.internal;

import dev.faasx.core.internal.http.HeaderRules;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import org.slf4j.Logger;

/** Checks of the executor builder's settings; each failure is an {@link IllegalArgumentException} naming the setting. */
public final class BuilderChecks {
    private BuilderChecks() {
    }

    /** An absolute http(s) URI without user-info, query or fragment, returned without a trailing slash. */
    public static URI baseUri(URI uri, String provider) {
        checkHttpUri(uri, "baseUri", provider);
        if (uri.getRawQuery() != null) {
            throw invalid(provider, "baseUri must not have a query: " + uri);
        }
        String s = uri.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return URI.create(s);
    }

    /** A job's own invoke URL: an absolute http(s) URI without user-info or fragment (a query is allowed). */
    public static URI endpoint(URI uri, long jobId, String provider) {
        checkHttpUri(uri, "the endpoint of job " + jobId, provider);
        return uri;
    }

    public static void token(String token, String provider) {
        if (token == null || token.isBlank()) {
            throw invalid(provider, "the bearer token must not be empty");
        }
        if (!HeaderRules.isValidValue(token)) {
            throw invalid(provider, "the bearer token contains a line break or a control character");
        }
    }

    /** Warns (without the token) when a bearer token would travel unencrypted beyond this machine. */
    public static void warnOnCleartextToken(URI baseUri, boolean hasToken, Logger log) {
        if (hasToken && "http".equalsIgnoreCase(baseUri.getScheme()) && !isLoopback(baseUri.getHost())) {
            log.warn("a bearer token is configured for {}, which is plain http: the token travels unencrypted; "
                    + "use https", baseUri);
        }
    }

    private static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1")) {
            return true;
        }
        try {
            // Only literal addresses reach here without a look-up, so this never blocks on DNS for names.
            return h.matches("[0-9.]+|\\[[0-9a-f:.]+]") && InetAddress.getByName(h.replace("[", "").replace("]", ""))
                    .isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void checkHttpUri(URI uri, String what, String provider) {
        if (uri == null) {
            throw invalid(provider, what + " must be set");
        }
        if (uri.getRawUserInfo() != null) {
            throw invalid(provider, what + " must not carry credentials (user-info); use bearerToken(...) or "
                    + "header(...)");
        }
        String scheme = uri.getScheme();
        if (!uri.isAbsolute() || uri.isOpaque() || scheme == null
                || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
            throw invalid(provider, what + " must be an absolute http or https URI, was " + uri);
        }
        if (uri.getHost() == null) {
            throw invalid(provider, what + " has no host: " + uri);
        }
        if (uri.getRawFragment() != null) {
            throw invalid(provider, what + " must not have a fragment: " + uri);
        }
    }

    private static IllegalArgumentException invalid(String provider, String reason) {
        return new IllegalArgumentException(reason);
    }
}
