package dev.faasx.azure.local.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * Sends each request to the API its target host names, as Azure's front ends do: {@code {app}.scm.azurewebsites.net}
 * to that app's Kudu, {@code {app}.azurewebsites.net} to its Functions host, anything else (such as
 * {@code management.azure.com}) to Resource Manager. The target host is the {@code X-Forwarded-Host} header when a
 * rewriting client set it, else the {@code Host} header. Injected faults are answered first.
 */
public final class Router {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);
    /** The largest request body read: zip packages up to the Kudu limit. */
    static final long MAX_BODY_BYTES = ZipExtractor.MAX_ZIP_BYTES;

    /** A planned failure: the next {@code remaining} requests whose method and path match are answered with it. */
    public record Fault(String method, Pattern path, int status, String code, String message, Integer retryAfter,
                        java.util.concurrent.atomic.AtomicInteger remaining) {
    }

    private final Resources resources;
    private final ArmApi arm;
    private final Kudu kudu;
    private final ObjectMapper json;
    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    public Router(Resources resources) {
        this.resources = resources;
        this.json = resources.json;
        this.kudu = new Kudu(resources);
        this.arm = new ArmApi(resources, kudu);
    }

    public void addFault(Fault fault) {
        faults.add(fault);
    }

    public void failNextDeployment(String message) {
        kudu.failNextDeployment(message);
    }

    public void clearFaults() {
        faults.clear();
    }

    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Http.Request request;
            try {
                request = read(exchange);
            } catch (IOException e) {
                Http.send(exchange, Http.Response.of(413, "text/plain",
                        e.getMessage().getBytes(StandardCharsets.UTF_8)));
                return;
            }
            Http.send(exchange, route(request));
        }
    }

    Http.Response route(Http.Request request) {
        Http.Response fault = fault(request);
        if (fault != null) {
            return fault;
        }
        String host = request.host();
        try {
            if (host.endsWith(".scm.azurewebsites.net")) {
                Site site = resources.site(host.substring(0, host.length() - ".scm.azurewebsites.net".length()));
                return site == null ? Http.Response.empty(404) : kudu.handle(site, request);
            }
            if (host.endsWith(".azurewebsites.net")) {
                Site site = resources.site(host.substring(0, host.length() - ".azurewebsites.net".length()));
                return site == null ? Http.Response.empty(404) : resources.host(site).handle(request);
            }
            return arm.handle(request);
        } catch (ArmError e) {
            return armError(e.status(), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("request {} {} failed", request.method(), request.path(), e);
            return armError(500, "InternalServerError", "The emulator failed: " + e);
        }
    }

    private Http.Response fault(Http.Request request) {
        for (Fault f : faults) {
            if ((f.method() == null || f.method().equalsIgnoreCase(request.method()))
                    && f.path().matcher(request.path()).find() && f.remaining().getAndDecrement() > 0) {
                Http.Response r = armError(f.status(), f.code(), f.message());
                return f.retryAfter() == null ? r : r.withHeader("Retry-After", f.retryAfter().toString());
            }
        }
        return null;
    }

    private Http.Response armError(int status, String code, String message) {
        ObjectNode body = json.createObjectNode();
        ObjectNode error = body.putObject("error");
        error.put("code", code);
        error.put("message", message);
        try {
            return Http.Response.of(status, "application/json; charset=utf-8", json.writeValueAsBytes(body))
                    .withHeader("x-ms-request-id", java.util.UUID.randomUUID().toString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Http.Request read(HttpExchange exchange) throws IOException {
        String forwarded = exchange.getRequestHeaders().getFirst("X-Forwarded-Host");
        String host = forwarded != null ? forwarded : exchange.getRequestHeaders().getFirst("Host");
        host = host == null ? "" : host.strip().toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        if (colon > 0 && !host.endsWith("]")) {
            host = host.substring(0, colon);
        }
        byte[] body = exchange.getRequestBody().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BODY_BYTES + 1));
        if (body.length > MAX_BODY_BYTES) {
            throw new IOException("the request body is larger than " + MAX_BODY_BYTES + " bytes");
        }
        String rawQuery = exchange.getRequestURI().getRawQuery();
        return new Http.Request(exchange.getRequestMethod(), host, exchange.getRequestURI().getPath(), rawQuery,
                Http.parseQuery(rawQuery), exchange.getRequestHeaders(), body);
    }
}
