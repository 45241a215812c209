package dev.faasx.core.internal.http;

import java.lang.reflect.InvocationTargetException;
import java.net.http.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Releases an {@link HttpClient} the executor created itself. */
public final class OwnedClients {
    private static final Logger log = LoggerFactory.getLogger(OwnedClients.class);

    private OwnedClients() {
    }

    /**
     * Starts an orderly shutdown: calls in flight finish, new ones are refused, idle connections close. The method
     * {@code HttpClient.shutdown()} exists from JDK 21 on; this library targets 17, so it is looked up at run time.
     * On JDK 17 there is nothing to call: the client's selector thread ends once the client is unreachable.
     */
    public static void shutdown(HttpClient client) {
        try {
            HttpClient.class.getMethod("shutdown").invoke(client);
        } catch (NoSuchMethodException e) {
            log.trace("HttpClient.shutdown() is not available on this JDK; the client is released when unreachable");
        } catch (IllegalAccessException | InvocationTargetException e) {
            log.debug("shutting down the HTTP client failed", e);
        }
    }
}
