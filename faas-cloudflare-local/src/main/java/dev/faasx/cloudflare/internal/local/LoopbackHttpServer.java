package dev.faasx.cloudflare.internal.local;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Creates the JDK {@link HttpServer}s of the local runtime and API, bound to loopback, with {@code TCP_NODELAY}.
 *
 * <p>The JDK server writes a response's headers and body as separate small segments; without {@code TCP_NODELAY},
 * Nagle's algorithm holds the body back until the client acknowledges the headers, which a client that delays its
 * acknowledgements does only after some 40 ms. The server reads its socket options once, from the system property
 * {@code sun.net.httpserver.nodelay}, when the first server of the JVM starts; this sets it to {@code true} unless
 * the application already chose a value.
 */
public final class LoopbackHttpServer {
    static final String NODELAY = "sun.net.httpserver.nodelay";

    private LoopbackHttpServer() {
    }

    public static HttpServer create(int port, int backlog) throws IOException {
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
        return HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), backlog);
    }
}
