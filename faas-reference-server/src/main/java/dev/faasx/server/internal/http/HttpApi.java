package dev.faasx.server.internal.http;

import dev.faasx.core.InvalidRequestException;
import dev.faasx.core.ProtocolException;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.server.ServerLimits;
import dev.faasx.server.internal.ApiError;
import dev.faasx.server.internal.HttpAnswer;
import dev.faasx.server.internal.function.FunctionRegistry;
import dev.faasx.server.internal.metrics.ServerMetrics;
import dev.faasx.server.internal.store.FunctionIds;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root HTTP handler: counts requests in flight (for a graceful shutdown), refuses work while shutting down,
 * checks the bearer key, routes, and hands every operation that touches processes or disk to a worker pool so that
 * Undertow's I/O threads only parse and write.
 *
 * <pre>
 * GET    /metrics                          Prometheus text
 * PUT    /api/functions/{id}[?overwrite=true]  deploy (zip body, X-Blueprint-Config header)
 * GET    /api/functions/{id}               deployment info
 * DELETE /api/functions/{id}               undeploy
 * POST   /api/functions/{id}/invoke        invoke
 * GET    /api/functions/{id}/health        health (503 when the function cannot start)
 * POST   /api/functions/{id}/warm          start instances ahead of calls
 * GET    /api/functions/{id}/metrics       the function's counters and latency percentiles (JSON)
 * </pre>
 *
 * <p>Thread-safe.
 */
public final class HttpApi implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final String PREFIX = "/api/functions/";

    private final SpecCodec codec;
    private final BearerAuth auth;
    private final ExecutorService invocations;
    private final ExecutorService management;
    private final ExecutorService uploads;
    private final InvokeEndpoint invoke;
    private final ManagementEndpoints endpoints;
    private final ServerMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    public HttpApi(FunctionRegistry registry, ServerMetrics metrics, SpecCodec codec, ServerLimits limits,
                   Optional<String> apiKey, ExecutorService invocations, ExecutorService management,
                   ExecutorService uploads, Supplier<URI> baseUri) {
        this.codec = codec;
        this.auth = new BearerAuth(apiKey);
        this.invocations = invocations;
        this.management = management;
        this.uploads = uploads;
        this.metrics = metrics;
        this.invoke = new InvokeEndpoint(registry, codec, this, limits.maxRequestBytes());
        this.endpoints = new ManagementEndpoints(registry, codec, limits, baseUri);
    }

    /** Requests being handled right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** From now on, new requests are refused with 503. */
    public void startClosing() {
        closing = true;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        long arrival = System.nanoTime();
        inFlight.incrementAndGet();
        exchange.addExchangeCompleteListener((done, next) -> {
            inFlight.decrementAndGet();
            next.proceed();
        });
        if (closing) {
            exchange.setPersistent(false);
            Exchanges.sendError(exchange, codec, new ApiError(ErrorCode.UNHEALTHY, "the server is shutting down"));
            return;
        }
        if (!auth.isRequired()) {
            Optional<ApiError> refused = LocalOnly.check(exchange);
            if (refused.isPresent()) {
                Exchanges.sendError(exchange, codec, refused.get());
                return;
            }
        }
        if (!auth.permits(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            Exchanges.sendError(exchange, codec, new ApiError(ErrorCode.UNAUTHORIZED,
                    "missing or wrong API key: send 'Authorization: Bearer <key>'"));
            return;
        }
        try {
            route(exchange, arrival);
        } catch (ApiError e) {
            Exchanges.sendError(exchange, codec, e);
        }
    }

    private void route(HttpServerExchange exchange, long arrival) {
        String path = exchange.getRequestPath();
        HttpString method = exchange.getRequestMethod();
        if (exchange.getRequestURI().indexOf(';') >= 0) {
            // Undertow would strip ";x" as a path parameter and serve "hello;x" as "hello".
            throw new ApiError(ErrorCode.INVALID_FUNCTION_ID, "the path '"
                    + FunctionIds.printable(exchange.getRequestURI()) + "' holds a ';': path parameters are not "
                    + "allowed, and function ids use only letters, digits, '_' and '-'");
        }
        if (path.equals("/metrics")) {
            if (!method.equals(Methods.HEAD)) {
                requireMethod(exchange, Methods.GET);
            }
            blocking(exchange, management, () -> new HttpAnswer(200,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8), "text/plain; version=0.0.4; charset=utf-8",
                    Map.of()));
            return;
        }
        if (!path.startsWith(PREFIX)) {
            throw noRoute(exchange);
        }
        String rest = path.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        String id = FunctionIds.require(slash < 0 ? rest : rest.substring(0, slash));
        String action = slash < 0 ? "" : rest.substring(slash + 1);
        switch (action) {
            case "":
                if (method.equals(Methods.PUT)) {
                    // Uploads have their own threads: slow uploaders cannot lock out the other endpoints.
                    blocking(exchange, uploads, () -> endpoints.deploy(exchange, id));
                } else if (method.equals(Methods.GET)) {
                    blocking(exchange, management, () -> endpoints.info(id));
                } else if (method.equals(Methods.DELETE)) {
                    blocking(exchange, management, () -> endpoints.undeploy(id));
                } else {
                    throw notAllowed(exchange, "GET, PUT, DELETE");
                }
                return;
            case "invoke":
                requireMethod(exchange, Methods.POST);
                invoke.handle(exchange, id, arrival);
                return;
            case "health":
                requireMethod(exchange, Methods.GET);
                blocking(exchange, management, () -> endpoints.health(id));
                return;
            case "warm":
                requireMethod(exchange, Methods.POST);
                blocking(exchange, management, () -> endpoints.warm(id));
                return;
            case "metrics":
                requireMethod(exchange, Methods.GET);
                blocking(exchange, management, () -> endpoints.metrics(id));
                return;
            default:
                throw noRoute(exchange);
        }
    }

    /** Work that blocks, answering its result (or its error) when done. */
    @FunctionalInterface
    interface Task {
        HttpAnswer run() throws Exception;
    }

    /** Runs {@code task} on {@code pool}, never on an I/O thread; a full pool answers 503 {@code OVERLOADED}. */
    void blocking(HttpServerExchange exchange, ExecutorService pool, Task task) {
        exchange.dispatch(command -> {
            try {
                pool.execute(command);
            } catch (RejectedExecutionException e) {
                Exchanges.send(exchange, Exchanges.errorAnswer(codec, new ApiError(ErrorCode.OVERLOADED,
                        "the server is handling its maximum number of requests; retry later"))
                        .withHeader("Retry-After", "1"));
            }
        }, () -> {
            HttpAnswer answer = runGuarded(task);
            try {
                Exchanges.send(exchange, answer);
            } finally {
                try {
                    answer.afterSend().run();
                } catch (RuntimeException e) {
                    LOG.warn("clean-up after an answer failed", e);
                }
            }
        });
    }

    ExecutorService invocations() {
        return invocations;
    }

    HttpAnswer runGuarded(Task task) {
        try {
            return task.run();
        } catch (ApiError e) {
            return Exchanges.errorAnswer(codec, e);
        } catch (ManagementEndpoints.UploadAbortedException e) {
            LOG.warn("{}", e.getMessage());
            return Exchanges.errorAnswer(codec, new ApiError(ErrorCode.INVALID_REQUEST, e.getMessage()));
        } catch (ProtocolException e) {
            return Exchanges.errorAnswer(codec, new ApiError(ErrorCode.INVALID_REQUEST, e.reason()));
        } catch (InvalidRequestException e) {
            ErrorCode code = e.errorCode().flatMap(ErrorCode::fromCode).orElse(ErrorCode.INVALID_REQUEST);
            return Exchanges.errorAnswer(codec, new ApiError(code, e.reason(),
                    Map.of("violations", String.join("; ", e.violations()))));
        } catch (Exception e) {
            LOG.error("request failed", e);
            return Exchanges.errorAnswer(codec, new ApiError(ErrorCode.INTERNAL,
                    "the server failed: " + e.getClass().getSimpleName()));
        }
    }

    private static void requireMethod(HttpServerExchange exchange, HttpString method) {
        if (!exchange.getRequestMethod().equals(method)) {
            throw notAllowed(exchange, method.toString());
        }
    }

    private static ApiError notAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        return new ApiError(ErrorCode.INVALID_REQUEST, 405, exchange.getRequestMethod() + " is not allowed on "
                + exchange.getRequestPath() + "; use " + allowed, Map.of(), null);
    }

    private static ApiError noRoute(HttpServerExchange exchange) {
        return new ApiError(ErrorCode.INVALID_REQUEST, 404, "no endpoint " + exchange.getRequestMethod() + " "
                + FunctionIds.printable(exchange.getRequestPath()), Map.of(), null);
    }
}
