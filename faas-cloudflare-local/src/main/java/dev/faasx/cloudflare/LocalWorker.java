package dev.faasx.cloudflare;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A Worker that {@link LocalWorkersRuntime} is running, as {@link LocalWorkersRuntime#deploy} returns it.
 *
 * <pre>{@code
 * LocalWorker worker = runtime.deploy(script);
 * HttpResponse<String> r = http.send(HttpRequest.newBuilder(worker.url()).build(), ofString());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param script     what was deployed
 * @param url        where the Worker answers HTTP on loopback; it changes when the Worker is redeployed
 * @param startup    how long workerd took from launch until it listened, as this process measured it
 * @param deployedAt when this version started serving
 */
public record LocalWorker(WorkerScript script, URI url, Duration startup, Instant deployedAt) {
    public LocalWorker {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(startup, "startup");
        Objects.requireNonNull(deployedAt, "deployedAt");
    }

    /** The script name. */
    public String name() {
        return script.name();
    }
}
