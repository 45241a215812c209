package dev.faasx.aws.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.lambda.model.GetAliasResponse;
import software.amazon.awssdk.services.lambda.model.GetProvisionedConcurrencyConfigResponse;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyConfigNotFoundException;
import software.amazon.awssdk.services.lambda.model.ProvisionedConcurrencyStatusEnum;
import software.amazon.awssdk.services.lambda.model.ResourceNotFoundException;

/**
 * Keep-warm through provisioned concurrency. Lambda keeps environments initialised only for a published version or
 * an alias, so a function deployed with {@code keepWarmInstances > 0} gets a version published from the deployed
 * code, an alias {@value #ALIAS} pointing to it, and provisioned concurrency on that alias; invocations then go to
 * the alias. A deployment without keep-warm removes the alias, and invocations go to {@code $LATEST}.
 *
 * <p>Remembers, per job, whether to invoke the alias: learned when this process deploys, warms or looks the
 * function up. Thread-safe.
 */
public final class KeepWarm {
    /** The alias that carries provisioned concurrency. */
    public static final String ALIAS = "faasx-warm";
    private static final Logger LOG = LoggerFactory.getLogger(KeepWarm.class);

    private final LambdaApi api;
    private final Duration pollInterval;
    private final Duration readyTimeout;
    private final Map<Long, String> qualifiers = new ConcurrentHashMap<>();

    public KeepWarm(LambdaApi api, Duration pollInterval, Duration readyTimeout) {
        this.api = api;
        this.pollInterval = pollInterval;
        this.readyTimeout = readyTimeout;
    }

    /** The qualifier to invoke for {@code jobId}: the keep-warm alias, or empty for {@code $LATEST}. */
    public Optional<String> qualifier(long jobId) {
        return Optional.ofNullable(qualifiers.get(jobId));
    }

    /** Forgets what is known about {@code jobId}, for example after it was undeployed. */
    public void forget(long jobId) {
        qualifiers.remove(jobId);
    }

    /** Applies the keep-warm part of a deployment (after code and configuration are in place). */
    CompletableFuture<Void> apply(long jobId, FunctionSettings s, boolean existed, FunctionDeployer deployer,
                                  ErrorContext ctx) {
        String name = s.functionName();
        if (s.keepWarm() == 0) {
            qualifiers.remove(jobId);
            if (!existed) {
                return CompletableFuture.completedFuture(null);
            }
            return api.call(c -> c.deleteProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)),
                            a -> a.deleteProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)))
                    .handle((ok, failure) -> ignoreMissing(failure))
                    .thenCompose(v -> api.call(c -> c.deleteAlias(r -> r.functionName(name).name(ALIAS)),
                            a -> a.deleteAlias(r -> r.functionName(name).name(ALIAS))))
                    .handle((ok, failure) -> ignoreMissing(failure));
        }
        int instances = s.keepWarm();
        return deployer.onConflictWait(name, ctx, () -> api.call(c -> c.publishVersion(r -> r.functionName(name)),
                        a -> a.publishVersion(r -> r.functionName(name))))
                .thenCompose(published -> api.waitUntilVersionActive(name, published.version())
                        .thenCompose(v -> pointAlias(name, published.version())))
                .thenCompose(previous -> api.call(
                        c -> c.putProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)
                                .provisionedConcurrentExecutions(instances)),
                        a -> a.putProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)
                                .provisionedConcurrentExecutions(instances)))
                        .thenApply(v -> previous))
                .thenCompose(previous -> {
                    qualifiers.put(jobId, ALIAS);
                    return removeOldVersion(name, previous);
                });
    }

    /** Points the alias at {@code version}; completes with the version it pointed to before, if any. */
    private CompletableFuture<String> pointAlias(String name, String version) {
        return alias(name).thenCompose(existing -> {
            if (existing == null) {
                return api.call(c -> c.createAlias(r -> r.functionName(name).name(ALIAS).functionVersion(version)),
                        a -> a.createAlias(r -> r.functionName(name).name(ALIAS).functionVersion(version)))
                        .thenApply(created -> (String) null);
            }
            return api.call(c -> c.updateAlias(r -> r.functionName(name).name(ALIAS).functionVersion(version)),
                    a -> a.updateAlias(r -> r.functionName(name).name(ALIAS).functionVersion(version)))
                    .thenApply(updated -> version.equals(existing.functionVersion()) ? null
                            : existing.functionVersion());
        });
    }

    /** Deletes the version the alias left behind, so that deployments do not pile up code; best effort. */
    private CompletableFuture<Void> removeOldVersion(String name, String previous) {
        if (previous == null || "$LATEST".equals(previous)) {
            return CompletableFuture.completedFuture(null);
        }
        return api.call(c -> c.deleteFunction(r -> r.functionName(name).qualifier(previous)),
                        a -> a.deleteFunction(r -> r.functionName(name).qualifier(previous)))
                .handle((ok, failure) -> {
                    if (failure != null) {
                        LOG.debug("could not delete old version {} of {}: {}", previous, name, failure.toString());
                    }
                    return null;
                });
    }

    /** The keep-warm alias, or {@code null}; also refreshes what this object remembers for {@code jobId}. */
    public CompletableFuture<GetAliasResponse> refresh(long jobId, String name) {
        return alias(name).thenApply(alias -> {
            if (alias == null) {
                qualifiers.remove(jobId);
            } else {
                qualifiers.put(jobId, ALIAS);
            }
            return alias;
        });
    }

    private CompletableFuture<GetAliasResponse> alias(String name) {
        return api.call(c -> c.getAlias(r -> r.functionName(name).name(ALIAS)),
                        a -> a.getAlias(r -> r.functionName(name).name(ALIAS)))
                .handle((alias, failure) -> {
                    if (failure == null) {
                        return alias;
                    }
                    if (Throwables.unwrap(failure) instanceof ResourceNotFoundException) {
                        return null;
                    }
                    throw new CompletionException(Throwables.unwrap(failure));
                });
    }

    /** Waits until the alias's provisioned concurrency is READY; fails when Lambda reports FAILED. */
    public CompletableFuture<Void> awaitReady(String name, ErrorContext ctx) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        return poll(name, ctx, deadline);
    }

    private CompletableFuture<Void> poll(String name, ErrorContext ctx, long deadline) {
        return api.call(c -> c.getProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)),
                        a -> a.getProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)))
                .thenCompose(config -> {
                    ProvisionedConcurrencyStatusEnum status = config.status();
                    if (status == ProvisionedConcurrencyStatusEnum.READY) {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (status == ProvisionedConcurrencyStatusEnum.FAILED) {
                        return CompletableFuture.failedFuture(failed(name, config, ctx));
                    }
                    if (System.nanoTime() - deadline > 0) {
                        return CompletableFuture.failedFuture(new FaasTimeoutException("provisioned concurrency of "
                                + name + ":" + ALIAS + " was not READY within " + readyTimeout + " (status "
                                + config.statusAsString() + ", " + config.availableProvisionedConcurrentExecutions()
                                + " of " + config.requestedProvisionedConcurrentExecutions() + " available)",
                                readyTimeout, ctx));
                    }
                    return api.delay(pollInterval.toMillis()).thenCompose(v -> poll(name, ctx, deadline));
                });
    }

    private static ProviderException failed(String name, GetProvisionedConcurrencyConfigResponse config,
                                            ErrorContext ctx) {
        return new ProviderException("provisioned concurrency of " + name + ":" + ALIAS + " FAILED: "
                + config.statusReason(), false, false, ctx);
    }

    private static Void ignoreMissing(Throwable failure) {
        Throwable t = failure == null ? null : Throwables.unwrap(failure);
        if (t == null || t instanceof ResourceNotFoundException
                || t instanceof ProvisionedConcurrencyConfigNotFoundException) {
            return null;
        }
        throw new CompletionException(t);
    }
}
