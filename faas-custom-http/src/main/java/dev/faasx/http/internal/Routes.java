package dev.faasx.http.internal;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where each operation of a job goes and how long an invocation is waited for. Remembers the timeouts of the
 * functions this executor deployed or described, so that an invocation waits for the function's own timeout plus
 * a margin rather than a fixed guess. Thread-safe.
 */
public final class Routes {
    private static final String API = "/api/functions/";

    private final String base;
    private final FunctionIds functionIds;
    private final Map<Long, URI> jobEndpoints;
    private final Duration defaultInvokeTimeout;
    private final Duration margin;
    private final ConcurrentMap<String, Duration> knownTimeouts = new ConcurrentHashMap<>();

    /**
     * @param baseUri an absolute http(s) URI without a trailing slash, query or fragment
     */
    public Routes(URI baseUri, FunctionIds functionIds, Map<Long, URI> jobEndpoints, Duration defaultInvokeTimeout,
                  Duration margin) {
        this.base = baseUri.toString();
        this.functionIds = functionIds;
        this.jobEndpoints = Map.copyOf(jobEndpoints);
        this.defaultInvokeTimeout = defaultInvokeTimeout;
        this.margin = margin;
    }

    /** The function id of {@code jobId}; throws {@code InvalidRequestException} for an invalid mapping. */
    public String functionId(long jobId) {
        return functionIds.forJob(jobId);
    }

    /** {@code {base}/api/functions/{id}{suffix}}. */
    public URI function(String functionId, String suffix) {
        return URI.create(base + API + functionId + suffix);
    }

    /** The job's own endpoint when it has one, else {@code {base}/api/functions/{id}/invoke}. */
    public URI invoke(long jobId, String functionId) {
        URI override = jobEndpoints.get(jobId);
        return override != null ? override : function(functionId, "/invoke");
    }

    /** The function's timeout plus the margin when known, else the default invoke timeout. */
    public Duration invokeTimeout(String functionId) {
        Duration known = knownTimeouts.get(functionId);
        return known != null ? known.plus(margin) : defaultInvokeTimeout;
    }

    public void rememberTimeout(String functionId, Duration timeout) {
        knownTimeouts.put(functionId, timeout);
    }

    public void forget(String functionId) {
        knownTimeouts.remove(functionId);
    }
}
