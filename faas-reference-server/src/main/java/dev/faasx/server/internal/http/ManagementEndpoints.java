package dev.faasx.server.internal.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.faasx.core.spec.DeleteResponse;
import dev.faasx.core.spec.DeployConfig;
import dev.faasx.core.spec.DeployResponse;
import dev.faasx.core.spec.ErrorCode;
import dev.faasx.core.spec.FunctionInfo;
import dev.faasx.core.spec.HealthResponse;
import dev.faasx.core.spec.SpecCodec;
import dev.faasx.core.spec.WarmResponse;
import dev.faasx.server.ServerLimits;
import dev.faasx.server.internal.ApiError;
import dev.faasx.server.internal.HttpAnswer;
import dev.faasx.server.internal.exec.InstancePool;
import dev.faasx.server.internal.function.FunctionRegistry;
import dev.faasx.server.internal.function.FunctionRuntime;
import dev.faasx.server.internal.metrics.FunctionMetrics;
import dev.faasx.server.internal.store.StoredFunction;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The management endpoints: deploy, info, undeploy, health, warm and per-function metrics. Each runs on a
 * management thread and may block (reading an upload, extracting it, starting an instance).
 */
final class ManagementEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FunctionRegistry registry;
    private final SpecCodec codec;
    private final ServerLimits limits;
    private final Supplier<URI> baseUri;

    ManagementEndpoints(FunctionRegistry registry, SpecCodec codec, ServerLimits limits, Supplier<URI> baseUri) {
        this.registry = registry;
        this.codec = codec;
        this.limits = limits;
        this.baseUri = baseUri;
    }

    /** {@code PUT /api/functions/{id}[?overwrite=true]}: the body is the zip, the header the configuration. */
    HttpAnswer deploy(HttpServerExchange exchange, String id) throws IOException {
        boolean overwrite = isTrue(exchange.getQueryParameters().get("overwrite"));
        String header = exchange.getRequestHeaders().getFirst(DeployConfig.HEADER);
        DeployConfig config = header == null ? DeployConfig.defaults() : codec.decodeDeployConfigHeader(header);
        if (registry.refusesDeploy(id, overwrite)) {
            exchange.setPersistent(false);
            throw FunctionRegistry.exists(id);
        }
        if (exchange.getRequestContentLength() > limits.maxPackageBytes()) {
            exchange.setPersistent(false);
            throw packageTooLarge();
        }
        Path upload = registry.store().newStagingPath("upload");
        try {
            exchange.startBlocking();
            long size = receive(exchange.getInputStream(), upload, id);
            if (size == 0) {
                throw new ApiError(ErrorCode.INVALID_PACKAGE, "the request body is empty: send the zip package");
            }
            FunctionRuntime runtime = registry.deploy(id, config, upload, size, overwrite);
            return HttpAnswer.json(200, codec.encodeDeployResponse(deployment(runtime)));
        } finally {
            registry.store().discard(upload);
        }
    }

    private long receive(InputStream in, Path file, String id) throws IOException {
        long max = limits.maxPackageBytes();
        long deadline = System.nanoTime() + limits.requestBodyTimeout().toNanos();
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
            int n;
            while (true) {
                try {
                    n = in.read(buffer);
                } catch (IOException e) {
                    throw new UploadAbortedException("the upload of function " + id + " was aborted after "
                            + total + " bytes: " + e.getMessage());
                }
                if (n <= 0) {
                    break;
                }
                total += n;
                if (total > max) {
                    throw packageTooLarge();
                }
                if (System.nanoTime() > deadline) {
                    throw new ApiError(ErrorCode.INVALID_REQUEST, 408, "the upload of function " + id
                            + " took longer than " + limits.requestBodyTimeout().toSeconds() + " s; send it faster",
                            Map.of(), null);
                }
                out.write(buffer, 0, n);
            }
        }
        return total;
    }

    /** The client stopped sending an upload (a closed connection, a read timeout): no fault of the server. */
    static final class UploadAbortedException extends IOException {
        private static final long serialVersionUID = 1L;

        UploadAbortedException(String message) {
            super(message);
        }
    }

    /** {@code GET /api/functions/{id}}. */
    HttpAnswer info(String id) {
        FunctionRuntime runtime = registry.require(id);
        StoredFunction function = runtime.function();
        FunctionInfo info = FunctionInfo.of(deployment(runtime), function.deployedAt(), function.packageBytes());
        return HttpAnswer.json(200, codec.encodeFunctionInfo(info));
    }

    /** {@code DELETE /api/functions/{id}}. */
    HttpAnswer undeploy(String id) throws IOException {
        registry.undeploy(id);
        return HttpAnswer.json(200, codec.encodeDeleteResponse(DeleteResponse.of(id)));
    }

    /** {@code GET /api/functions/{id}/health}: 503 when no instance can start. */
    HttpAnswer health(String id) {
        FunctionRuntime runtime = registry.require(id);
        Optional<String> problem = runtime.probe();
        if (problem.isPresent()) {
            return HttpAnswer.json(503, codec.encodeHealthResponse(HealthResponse.unhealthy(id, problem.get())));
        }
        FunctionMetrics metrics = runtime.metrics();
        return HttpAnswer.json(200, codec.encodeHealthResponse(
                HealthResponse.healthy(id, metrics.lastInvocation(), metrics.total())));
    }

    /** {@code POST /api/functions/{id}/warm}: 503 when not one instance could start. */
    HttpAnswer warm(String id) {
        FunctionRuntime runtime = registry.require(id);
        int warmed = runtime.warm();
        if (warmed == 0) {
            String why = runtime.probe().orElse("no instance could be started");
            throw new ApiError(ErrorCode.UNHEALTHY, "function " + id + " could not be warmed: " + why,
                    Map.of("function_id", id));
        }
        return HttpAnswer.json(200, codec.encodeWarmResponse(WarmResponse.of(id, warmed)));
    }

    /** {@code GET /api/functions/{id}/metrics}: counters since deployment, latency percentiles of the last 2 min. */
    HttpAnswer metrics(String id) throws IOException {
        FunctionRuntime runtime = registry.require(id);
        InstancePool.InstanceCounts instances = runtime.instances();
        FunctionMetrics.Snapshot s = runtime.metrics().snapshot(instances.idle(), instances.busy());
        ObjectNode node = JSON.createObjectNode();
        node.put("function_id", s.functionId());
        node.put("invocations", s.invocations());
        node.put("successes", s.successes());
        node.put("errors", s.errors());
        node.put("function_errors", s.functionErrors());
        node.put("timeouts", s.timeouts());
        node.put("overloaded", s.overloaded());
        node.put("cold_starts", s.coldStarts());
        node.put("warm_starts", s.warmStarts());
        ObjectNode latency = node.putObject("latency_ms");
        latency.put("window_seconds", 120);
        latency.put("count", s.latencyCount());
        boolean any = s.latencyCount() > 0;
        putFigure(latency, "mean", any, s.latencyMeanMs());
        putFigure(latency, "max", any, s.latencyMaxMs());
        putFigure(latency, "p50", any, s.p50Ms());
        putFigure(latency, "p90", any, s.p90Ms());
        putFigure(latency, "p99", any, s.p99Ms());
        ObjectNode counts = node.putObject("instances");
        counts.put("idle", s.idleInstances());
        counts.put("busy", s.busyInstances());
        s.lastInvocation().ifPresent(at -> node.put("last_invocation", at.toString()));
        return HttpAnswer.json(200, JSON.writeValueAsBytes(node));
    }

    /** A figure in milliseconds to the microsecond, or null when nothing ran in the window. */
    private static void putFigure(ObjectNode node, String name, boolean any, double value) {
        if (!any || Double.isNaN(value)) {
            node.putNull(name);
        } else {
            node.put(name, Math.round(value * 1000) / 1000.0);
        }
    }

    private DeployResponse deployment(FunctionRuntime runtime) {
        StoredFunction function = runtime.function();
        DeployResponse.Builder builder = DeployResponse.builder(function.id())
                .endpoint(baseUri.get().resolve("/api/functions/" + function.id() + "/invoke"))
                .memoryMb(function.config().memoryMb())
                .timeout(function.config().timeout());
        runtime.deployColdStart().ifPresent(builder::coldStart);
        return builder.build();
    }

    private ApiError packageTooLarge() {
        return new ApiError(ErrorCode.PAYLOAD_TOO_LARGE, "the package is larger than " + limits.maxPackageBytes()
                + " bytes", Map.of("max_package_bytes", Long.toString(limits.maxPackageBytes())));
    }

    private static boolean isTrue(Deque<String> values) {
        return values != null && values.stream().anyMatch("true"::equalsIgnoreCase);
    }
}
