package dev.faasx.core.internal.http;

import static dev.faasx.core.internal.Throwables.hasCause;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasException;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Turns what the JDK client throws into a typed {@link FaasException}. The key question is whether the request
 * may have reached the platform: a refused connection, a failed DNS look-up, a connect timeout or a failed TLS
 * handshake happen before anything is sent, so the function certainly did not run; anything after that may have
 * run it.
 */
public final class TransportFailures {
    private TransportFailures() {
    }

    /**
     * @param failure  what the client's future failed with (wrappers are removed here)
     * @param status   the response status if the headers had arrived when it failed, else -1
     * @param context  provider, job and function of the operation
     * @param timeout  the request timeout that applied
     * @param target   a few words for the message, such as {@code "invoke"} or {@code "deploy"}
     */
    public static FaasException map(Throwable failure, int status, ErrorContext context, Duration timeout,
                                    String target) {
        Throwable t = Throwables.unwrap(failure);
        if (t instanceof FaasException f) {
            return f;
        }
        ErrorContext ctx = status > 0 ? context.toBuilder().status(status).build() : context;
        if (t instanceof CappedBodyHandler.ResponseTooLargeException) {
            return new ProtocolException(target + " failed: " + t.getMessage(), true, ctx, t);
        }
        if (t instanceof HttpConnectTimeoutException) {
            return new ProviderException(target + " failed: could not connect to the platform in time", true,
                    false, ctx, t);
        }
        if (t instanceof HttpTimeoutException) {
            return new FaasTimeoutException(target + " got no answer within " + timeout
                    + "; the platform may still be running it", timeout, ctx, t);
        }
        if (t instanceof TimeoutException) {
            return new FaasTimeoutException(target + " got no complete answer within " + timeout
                    + (status > 0 ? " (status " + status + " arrived, its body did not)" : "")
                    + "; the platform may still be running it", timeout, ctx, t);
        }
        if (status > 0 && t instanceof IOException) {
            return new ProtocolException(target + " failed: the response (status " + status
                    + ") was cut off before its end: " + describe(t), true, ctx, t);
        }
        if (isBeforeSend(t)) {
            return new ProviderException(target + " failed: cannot reach the platform: " + describe(t)
                    + " (the request was not sent)", !(hasCause(t, SSLHandshakeException.class)), false, ctx, t);
        }
        if (t instanceof IOException) {
            return new ProviderException(target + " failed: the connection broke after the request was sent: "
                    + describe(t), true, true, ctx, t);
        }
        if (t instanceof CancellationException) {
            return new ProviderException(target + " was cancelled", false, true, ctx, t);
        }
        return new ProviderException(target + " failed in the HTTP client: " + describe(t), false, true, ctx, t);
    }

    private static boolean isBeforeSend(Throwable t) {
        return hasCause(t, ConnectException.class) || hasCause(t, UnknownHostException.class)
                || hasCause(t, UnresolvedAddressException.class) || hasCause(t, NoRouteToHostException.class)
                || hasCause(t, SSLHandshakeException.class);
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName()
                : t.getClass().getSimpleName() + ": " + message;
    }
}
