package dev.faasx.aws.local.internal;

import dev.faasx.core.internal.DaemonThreads;
import dev.faasx.aws.local.EventOutcome;
import dev.faasx.aws.local.RecordedCall;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of the emulator: routes Lambda API requests (and the S3 object calls that deployments from a bucket
 * need) to the control plane, the invocations and the object store, and answers errors the way Lambda does
 * ({@code x-amzn-ErrorType} header, {@code {"Type","Message"}} body). {@code dev.faasx.aws.local.LocalLambda} is its
 * public face. Thread-safe; closing stops every process it started.
 */
public final class LambdaApiServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LambdaApiServer.class);
    static final String REGION = "us-east-1";
    static final String ACCOUNT = "123456789012";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ");
    private static final Pattern API_VERSION = Pattern.compile("/\\d{4}-\\d{2}-\\d{2}/");
    private static final Pattern ROUTE = Pattern.compile(
            "/(2015-03-31|2017-10-31|2019-09-30)/functions(?:/([^/]+))?(?:/([a-z-]+))?(?:/([^/]+))?/?");

    /**
     * The emulator's settings.
     *
     * @param port                 the port to listen on (0 = any free port)
     * @param stateDelay           how long creations and updates stay Pending / InProgress
     * @param accountConcurrency   the account's concurrency limit
     * @param unreservedMinimum    concurrency that reservations must leave unreserved
     * @param initTimeout          how long a runtime may initialise before the invocation takes over its init
     * @param accessKeyId          the only access key accepted, or {@code null} for any
     * @param javaCommand          the {@code java} executable that runs the Java runtimes
     */
    public record Settings(int port, Duration stateDelay, int accountConcurrency, int unreservedMinimum,
                           Duration initTimeout, String accessKeyId, Path javaCommand) {
    }

    final Object lock = new Object();
    final Map<String, FunctionRecord> functions = new LinkedHashMap<>();
    volatile Duration stateDelay;
    final int accountConcurrency;
    final int unreservedMinimum;
    final Duration initTimeout;
    final ScheduledExecutorService scheduler;
    final ExecutorService threads;
    final Path workDir;
    final CodeStore code;
    final AtomicInteger throttles = new AtomicInteger();
    private final String accessKeyId;
    private final Map<String, String> interferences = new LinkedHashMap<>();
    private final Map<String, ApiError> failures = new LinkedHashMap<>();
    final ObjectStore objects = new ObjectStore();
    private final List<RecordedCall> calls = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ControlPlane control;
    private final Invocations invocations;

    public LambdaApiServer(Settings settings) throws IOException {
        this.stateDelay = settings.stateDelay();
        this.accountConcurrency = settings.accountConcurrency();
        this.unreservedMinimum = settings.unreservedMinimum();
        this.initTimeout = settings.initTimeout();
        this.accessKeyId = settings.accessKeyId();
        this.workDir = Files.createTempDirectory("local-lambda-");
        this.code = new CodeStore(workDir, settings.javaCommand());
        this.scheduler = Executors.newScheduledThreadPool(1, DaemonThreads.named("local-lambda-state"));
        this.threads = Executors.newCachedThreadPool(DaemonThreads.named("local-lambda-http"));
        this.invocations = new Invocations(this);
        this.control = new ControlPlane(this, invocations);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** Where clients should send requests. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The ARN of a role the emulator accepts for CreateFunction. */
    public static String roleArn() {
        return "arn:aws:iam::" + ACCOUNT + ":role/faasx-test";
    }

    /** How long creations and updates started from now on stay Pending / InProgress. */
    public void stateDelay(Duration value) {
        this.stateDelay = value;
    }

    /** The next {@code n} Invoke requests are refused with 429 TooManyRequestsException, as API throttling does. */
    public void throttleNextInvocations(int n) {
        throttles.set(n);
    }

    /**
     * Just before the next {@code operation} (for example {@code UpdateFunctionCode}) on {@code functionName}, another
     * client starts an update of that function, so that the request finds an update in progress.
     */
    public void interfereBeforeNext(String operation, String functionName) {
        synchronized (interferences) {
            interferences.put(operation + " " + functionName, functionName);
        }
    }

    /** Puts a function in the Inactive state and ends its idle environments. */
    public void deactivate(String functionName) {
        synchronized (lock) {
            FunctionRecord fn = functions.get(functionName);
            if (fn == null) {
                throw new IllegalArgumentException("no function named " + functionName);
            }
            fn.state = "Inactive";
            fn.stateReason = "The function is inactive because it has not been invoked for a long time.";
            fn.stateReasonCode = "Idle";
            invocations.removeAll(functionName);
        }
    }

    /** Every request answered so far, in order. */
    public List<RecordedCall> calls() {
        return List.copyOf(calls);
    }

    /** Execution environments started for {@code functionName} (all versions), cold starts included. */
    public int environmentsStarted(String functionName) {
        return invocations.started(functionName);
    }

    /** Ends every idle environment of {@code functionName}, so that its next invocation starts cold. */
    public void recycleEnvironments(String functionName) {
        invocations.recycle(functionName);
    }

    /** Asynchronous (Event) invocations Lambda finished, successfully or not. */
    public List<EventOutcome> eventOutcomes() {
        return invocations.eventOutcomes();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        String operation = "Unknown";
        String function = null;
        try (exchange) {
            try {
                String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
                Matcher m = ROUTE.matcher(path);
                if (!m.matches()) {
                    if (path.length() > 1 && !API_VERSION.matcher(path).lookingAt()) {
                        authenticate(exchange);
                        objects.handle(exchange, path, requestId);
                        calls.add(new RecordedCall("S3 " + exchange.getRequestMethod(), null,
                                exchange.getResponseCode(), null));
                        return;
                    }
                    throw new ApiError(404, "UnknownOperationException", "Unknown operation " + path);
                }
                function = m.group(2);
                operation = operation(exchange.getRequestMethod(), m.group(1), function, m.group(3), m.group(4));
                authenticate(exchange);
                Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
                byte[] body = read(exchange.getRequestBody(), 70 * 1024 * 1024, operation);
                if (operation.equals("CreateFunction")) {
                    function = ApiJson.read(body).path("FunctionName").asText(null);
                }
                interfere(operation, function);
                injectFailure(operation, function);
                Response response = operation.equals("Invoke")
                        ? invocations.invoke(nameOf(function), qualifierOf(function, query), exchange, body, requestId)
                        : control.handle(operation, nameOf(function), m.group(4), query, body);
                send(exchange, requestId, response);
                calls.add(new RecordedCall(operation, function == null ? null : nameOf(function), response.status(), null));
            } catch (ApiError e) {
                sendError(exchange, requestId, e);
                calls.add(new RecordedCall(operation, function == null ? null : nameOf(function), e.status, e.type));
            } catch (RuntimeException e) {
                ApiError error = new ApiError(500, "ServiceException", "the emulator failed: " + e);
                sendError(exchange, requestId, error);
                calls.add(new RecordedCall(operation, function, 500, error.type));
            }
        }
    }

    private static String operation(String method, String api, String function, String sub, String item) {
        String key = method + " " + api + " " + (function == null ? "-" : "fn") + " " + (sub == null ? "-" : sub)
                + " " + (item == null ? "-" : "item");
        return switch (key) {
            case "POST 2015-03-31 - - -" -> "CreateFunction";
            case "GET 2015-03-31 - - -" -> "ListFunctions";
            case "GET 2015-03-31 fn - -" -> "GetFunction";
            case "DELETE 2015-03-31 fn - -" -> "DeleteFunction";
            case "GET 2015-03-31 fn configuration -" -> "GetFunctionConfiguration";
            case "PUT 2015-03-31 fn configuration -" -> "UpdateFunctionConfiguration";
            case "PUT 2015-03-31 fn code -" -> "UpdateFunctionCode";
            case "POST 2015-03-31 fn invocations -" -> "Invoke";
            case "POST 2015-03-31 fn versions -" -> "PublishVersion";
            case "POST 2015-03-31 fn aliases -" -> "CreateAlias";
            case "GET 2015-03-31 fn aliases item" -> "GetAlias";
            case "PUT 2015-03-31 fn aliases item" -> "UpdateAlias";
            case "DELETE 2015-03-31 fn aliases item" -> "DeleteAlias";
            case "PUT 2017-10-31 fn concurrency -" -> "PutFunctionConcurrency";
            case "DELETE 2017-10-31 fn concurrency -" -> "DeleteFunctionConcurrency";
            case "PUT 2019-09-30 fn provisioned-concurrency -" -> "PutProvisionedConcurrencyConfig";
            case "GET 2019-09-30 fn provisioned-concurrency -" -> "GetProvisionedConcurrencyConfig";
            case "DELETE 2019-09-30 fn provisioned-concurrency -" -> "DeleteProvisionedConcurrencyConfig";
            default -> throw new ApiError(404, "UnknownOperationException", "Unknown operation " + key);
        };
    }

    /** Requests must be signed (AWS Signature V4), with the configured access key when there is one; the signature itself is not checked. */
    private void authenticate(HttpExchange exchange) {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256")) {
            throw new ApiError(403, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }
        if (accessKeyId != null && !auth.contains("Credential=" + accessKeyId + "/")) {
            throw new ApiError(403, "UnrecognizedClientException",
                    "The security token included in the request is invalid.");
        }
    }

    /**
     * The next {@code operation} on {@code functionName} fails with {@code status} and {@code errorType}, without
     * doing anything, as when Lambda refuses a request (for example AccessDeniedException for a missing permission).
     */
    public void failNext(String operation, String functionName, int status, String errorType, String message) {
        synchronized (failures) {
            failures.put(operation + " " + functionName, new ApiError(status, errorType, message));
        }
    }

    private void injectFailure(String operation, String function) {
        ApiError failure;
        synchronized (failures) {
            failure = function == null ? null : failures.remove(operation + " " + nameOf(function));
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void interfere(String operation, String function) {
        String name;
        synchronized (interferences) {
            name = function == null ? null : interferences.remove(operation + " " + nameOf(function));
        }
        if (name != null) {
            control.startOutOfBandUpdate(name);
        }
    }

    /** The bare name of {@code name} or {@code name:qualifier}. */
    static String nameOf(String function) {
        if (function == null) {
            return null;
        }
        int colon = function.indexOf(':');
        return colon < 0 ? function : function.substring(0, colon);
    }

    private static String qualifierOf(String function, Map<String, String> query) {
        int colon = function.indexOf(':');
        return colon >= 0 ? function.substring(colon + 1) : query.get("Qualifier");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> map = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return map;
    }

    private static byte[] read(InputStream in, int limit, String operation) throws IOException {
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new ApiError(413, "RequestEntityTooLargeException", "Request must be smaller than " + limit
                    + " bytes for the " + operation + " operation");
        }
        return body;
    }

    /** An answer: status, extra headers and body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        static Response json(int status, Object node) {
            return new Response(status, Map.of("Content-Type", "application/json"),
                    node == null ? new byte[0] : ApiJson.bytes((com.fasterxml.jackson.databind.JsonNode) node));
        }

        static Response empty(int status) {
            return new Response(status, Map.of(), new byte[0]);
        }
    }

    private static void send(HttpExchange exchange, String requestId, Response response) throws IOException {
        exchange.getResponseHeaders().add("x-amzn-RequestId", requestId);
        response.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        byte[] body = response.body();
        exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            exchange.getResponseBody().write(body);
        }
    }

    private static void sendError(HttpExchange exchange, String requestId, ApiError e) throws IOException {
        var node = ApiJson.object();
        if (e.reason != null) {
            node.put("Reason", e.reason);
        }
        node.put("Type", e.status >= 500 ? "Service" : "User");
        node.put(e.status == 429 ? "message" : "Message", e.getMessage());
        byte[] body = ApiJson.bytes(node);
        exchange.getResponseHeaders().add("x-amzn-RequestId", requestId);
        exchange.getResponseHeaders().add("x-amzn-ErrorType", e.type);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        if (e.retryAfterSeconds != null) {
            exchange.getResponseHeaders().add("Retry-After", e.retryAfterSeconds);
        }
        exchange.sendResponseHeaders(e.status, body.length);
        exchange.getResponseBody().write(body);
    }

    static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(TIME);
    }

    static String arn(String name) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + name;
    }

    void later(Runnable task) {
        scheduler.schedule(() -> {
            synchronized (lock) {
                task.run();
            }
        }, stateDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        server.stop(0);
        invocations.close();
        scheduler.shutdownNow();
        threads.shutdownNow();
        code.close();
        if (!Zips.deleteTree(workDir)) {
            LOG.warn("could not delete all of the emulator's files under {}", workDir);
        }
    }
}
