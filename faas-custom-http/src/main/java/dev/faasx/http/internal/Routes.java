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
    private static final int MAX_REMEMBERED = 4096;

    private final String base;
    private final FunctionIds functionIds;
    private final Map<Long, URI> jobEndpoints;
    private final Duration defaultInvokeTimeout;
    private final Duration margin;
    private final ConcurrentMap<String, Duration> knownTimeouts = new ConcurrentHashMap<>();
    private final ConcurrentMap<Long, Target> targets = new ConcurrentHashMap<>();

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
        return target(jobId).functionId();
    }

    /** The invoke URL of {@code jobId}: its own endpoint when it has one, else the function's invoke path. */
    public URI invoke(long jobId) {
        return target(jobId).invokeUri();
    }

    /**
     * The job's function id and invoke URL, worked out once per job id and then remembered (for up to
     * {@value #MAX_REMEMBERED} job ids), so that an invocation neither re-runs the mapping nor parses a URL.
     */
    private Target target(long jobId) {
        Target t = targets.get(jobId);
        if (t == null) {
            String fn = functionIds.forJob(jobId);
            t = new Target(fn, invoke(jobId, fn));
            if (targets.size() < MAX_REMEMBERED) {
                targets.putIfAbsent(jobId, t);
            }
        }
        return t;
    }

    private record Target(String functionId, URI invokeUri) {
    }

    /** {@code {base}/api/functions/{id}{suffix}}. */
    public URI function(String functionId, String suffix) {
        return URI.create(base + API + functionId + suffix);
    }

    /** The job's own endpoint when it has one, else {@code {base}/api/functions/{id}/invoke}. */
    private URI invoke(long jobId, String functionId) {
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
