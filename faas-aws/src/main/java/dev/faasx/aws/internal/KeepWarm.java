package dev.faasx.aws.internal;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasTimeoutException;
import dev.faasx.core.ProviderException;
import dev.faasx.core.internal.Throwables;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
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
 * <p>Whether to invoke the alias is read from the deployment itself (does the function have the alias?), so that
 * every process invoking a job agrees, whoever deployed it. The answer is kept for a short time
 * ({@link #QUALIFIER_TTL}) so that an invocation does not cost an extra API call, and refreshed at once by this
 * process's own deployments, look-ups and warm-ups. Thread-safe.
 */
public final class KeepWarm {
    /** The alias that carries provisioned concurrency. */
    public static final String ALIAS = "faasx-warm";
    private static final Logger LOG = LoggerFactory.getLogger(KeepWarm.class);

    private final LambdaApi api;
    private final Duration pollInterval;
    private final Duration readyTimeout;
    /** How long an answer read from Lambda is used before it is read again. */
    public static final Duration QUALIFIER_TTL = Duration.ofSeconds(10);

    /** What is known about one job's alias, and until when. */
    private record Known(Optional<String> qualifier, long expiresNanos) {
        boolean fresh() {
            return System.nanoTime() - expiresNanos < 0;
        }
    }

    private final Map<Long, Known> qualifiers = new ConcurrentHashMap<>();

    public KeepWarm(LambdaApi api, Duration pollInterval, Duration readyTimeout) {
        this.api = api;
        this.pollInterval = pollInterval;
        this.readyTimeout = readyTimeout;
    }

    /**
     * The qualifier to invoke for {@code jobId}: the keep-warm alias when the function has it, or empty for
     * {@code $LATEST}. Read from Lambda unless a recent answer is known; when Lambda cannot be asked (no permission
     * for {@code lambda:GetAlias}, throttling) the invocation goes to {@code $LATEST}, and the reason is logged.
     */
    public CompletableFuture<Optional<String>> qualifier(long jobId, String name) {
        Known known = qualifiers.get(jobId);
        if (known != null && known.fresh()) {
            return CompletableFuture.completedFuture(known.qualifier());
        }
        return alias(name).handle((alias, failure) -> {
            if (failure != null) {
                LOG.warn("cannot read whether {} has the keep-warm alias {} ({}); invoking $LATEST", name, ALIAS,
                        Throwables.unwrap(failure).toString());
                return remember(jobId, known == null ? Optional.empty() : known.qualifier());
            }
            return remember(jobId, alias == null ? Optional.empty() : Optional.of(ALIAS));
        });
    }

    /** Forgets what is known about {@code jobId}, for example after it was undeployed or the alias was not found. */
    public void forget(long jobId) {
        qualifiers.remove(jobId);
    }

    private Optional<String> remember(long jobId, Optional<String> qualifier) {
        qualifiers.put(jobId, new Known(qualifier, System.nanoTime() + QUALIFIER_TTL.toNanos()));
        return qualifier;
    }

    /**
     * Applies the keep-warm part of a deployment (after code and configuration are in place); completes with
     * warnings about what went wrong without failing the deployment.
     */
    CompletableFuture<List<String>> apply(long jobId, FunctionSettings s, boolean existed, FunctionDeployer deployer,
                                          ErrorContext ctx) {
        String name = s.functionName();
        if (s.keepWarm() == 0) {
            remember(jobId, Optional.empty());
            if (!existed) {
                return CompletableFuture.completedFuture(List.of());
            }
            return api.call(c -> c.deleteProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)),
                            a -> a.deleteProvisionedConcurrencyConfig(r -> r.functionName(name).qualifier(ALIAS)))
                    .handle((ok, failure) -> ignoreMissing(failure))
                    .thenCompose(v -> api.call(c -> c.deleteAlias(r -> r.functionName(name).name(ALIAS)),
                            a -> a.deleteAlias(r -> r.functionName(name).name(ALIAS))))
                    .handle((ok, failure) -> ignoreMissing(failure))
                    .thenApply(v -> List.<String>of());
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
                    remember(jobId, Optional.of(ALIAS));
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

    /**
     * Deletes the version the alias left behind, so that deployments do not pile up code (old versions count against
     * the account's 75 GB code storage). A failure does not fail the deployment, which is in place; it comes back as a
     * warning, and is logged.
     */
    private CompletableFuture<List<String>> removeOldVersion(String name, String previous) {
        if (previous == null || "$LATEST".equals(previous)) {
            return CompletableFuture.completedFuture(List.of());
        }
        return api.call(c -> c.deleteFunction(r -> r.functionName(name).qualifier(previous)),
                        a -> a.deleteFunction(r -> r.functionName(name).qualifier(previous)))
                .handle((ok, failure) -> {
                    if (failure == null || Throwables.unwrap(failure) instanceof ResourceNotFoundException) {
                        return List.of();
                    }
                    String warning = "could not delete the old version " + previous + " of " + name + " ("
                            + describe(Throwables.unwrap(failure)) + "); it still takes code storage: delete it with"
                            + " DeleteFunction and Qualifier=" + previous;
                    LOG.warn(warning);
                    return List.of(warning);
                });
    }

    private static String describe(Throwable t) {
        if (t instanceof AwsServiceException e && e.awsErrorDetails() != null) {
            return e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage();
        }
        return t.toString();
    }

    /** The keep-warm alias, or {@code null}; also refreshes what this object knows about {@code jobId}. */
    public CompletableFuture<GetAliasResponse> refresh(long jobId, String name) {
        return alias(name).thenApply(alias -> {
            remember(jobId, alias == null ? Optional.empty() : Optional.of(ALIAS));
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
