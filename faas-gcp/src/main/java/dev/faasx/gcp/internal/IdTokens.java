package dev.faasx.gcp.internal;

import com.google.auth.oauth2.IdToken;
import com.google.auth.oauth2.IdTokenProvider;
import dev.faasx.core.AccessDeniedException;
import dev.faasx.core.ErrorContext;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Google-signed ID tokens per audience (a function's URL), from google-auth's {@link IdTokenProvider}, cached
 * until {@code refreshMargin} before they expire. Concurrent callers for one audience share one refresh.
 * Thread-safe.
 */
public final class IdTokens {
    private record Cached(String value, Instant expiry) {
    }

    private final Supplier<IdTokenProvider> provider;
    private final Duration refreshMargin;
    private final Clock clock;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public IdTokens(Supplier<IdTokenProvider> provider, Duration refreshMargin, Clock clock) {
        this.provider = provider;
        this.refreshMargin = refreshMargin;
        this.clock = clock;
    }

    /** A token for {@code audience}, fetched only when none is cached or the cached one is near expiry. */
    public String forAudience(String audience, ErrorContext ctx) {
        Cached cached = cache.get(audience);
        if (fresh(cached)) {
            return cached.value();
        }
        synchronized (this) {
            cached = cache.get(audience);
            if (fresh(cached)) {
                return cached.value();
            }
            Cached fetched = fetch(audience, ctx);
            cache.put(audience, fetched);
            return fetched.value();
        }
    }

    /** Forgets the token for {@code audience}, after the function refused it. */
    public void invalidate(String audience) {
        cache.remove(audience);
    }

    private boolean fresh(Cached cached) {
        return cached != null && clock.instant().isBefore(cached.expiry().minus(refreshMargin));
    }

    private Cached fetch(String audience, ErrorContext ctx) {
        IdToken token;
        try {
            token = provider.get().idTokenWithAudience(audience, List.of());
        } catch (IOException | RuntimeException e) {
            throw new AccessDeniedException("cannot obtain an ID token for " + audience + ": " + e.getMessage(),
                    ctx, e);
        }
        Instant expiry = token.getExpirationTime() != null ? token.getExpirationTime().toInstant()
                : clock.instant().plus(Duration.ofMinutes(5));
        return new Cached(token.getTokenValue(), expiry);
    }
}
