package dev.faasx.cloudflare.internal.local;

import java.time.Duration;

/**
 * Cloudflare's API rate limit as a fixed window (by default 1200 requests per 5 minutes): past the limit a request
 * is refused with the number of seconds until the window ends, for {@code Retry-After}.
 */
final class RateLimiter {
    private final int limit;
    private final long windowNanos;
    private long windowStart;
    private int used;

    RateLimiter(int limit, Duration window) {
        this.limit = limit;
        this.windowNanos = window.toNanos();
        this.windowStart = System.nanoTime();
    }

    /** 0 when the request may go ahead, else the whole seconds (at least 1) until it may. */
    synchronized long acquire() {
        long now = System.nanoTime();
        if (now - windowStart >= windowNanos) {
            windowStart = now;
            used = 0;
        }
        if (used < limit) {
            used++;
            return 0;
        }
        long remaining = windowNanos - (now - windowStart);
        return Math.max(1, (remaining + 999_999_999L) / 1_000_000_000L);
    }
}
