package dev.faasx.aws.internal;

import dev.faasx.core.internal.DaemonThreads;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import software.amazon.awssdk.core.waiters.WaiterOverrideConfiguration;
import software.amazon.awssdk.core.waiters.WaiterResponse;
import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionConfigurationResponse;
import software.amazon.awssdk.services.lambda.model.GetFunctionRequest;
import software.amazon.awssdk.services.lambda.model.GetFunctionResponse;
import software.amazon.awssdk.services.lambda.waiters.LambdaAsyncWaiter;
import software.amazon.awssdk.services.lambda.waiters.LambdaWaiter;

/**
 * One face over either SDK client: every Lambda call is written once as a pair (what to call on the blocking
 * client, what to call on the asynchronous one) and always comes back as a {@link CompletableFuture}. Blocking calls
 * run on an executor; the SDK's own waiters poll for state changes.
 *
 * <p>Thread-safe. Closing releases what this object created (and the client, when it created that too).
 */
public final class LambdaApi implements AutoCloseable {
    private final LambdaClient syncClient;
    private final LambdaAsyncClient asyncClient;
    private final Executor executor;
    private final ExecutorService ownedPool;
    private final ScheduledExecutorService waiterScheduler;
    private final LambdaWaiter syncWaiter;
    private final LambdaAsyncWaiter asyncWaiter;
    private final AutoCloseable ownedClient;

    private LambdaApi(LambdaClient syncClient, LambdaAsyncClient asyncClient, Executor executor,
                      WaiterOverrideConfiguration waiting, AutoCloseable ownedClient) {
        this.syncClient = syncClient;
        this.asyncClient = asyncClient;
        this.ownedClient = ownedClient;
        if (syncClient != null) {
            this.ownedPool = executor == null ? Executors.newCachedThreadPool(DaemonThreads.named("faasx-lambda")) : null;
            this.executor = executor == null ? ownedPool : executor;
            this.syncWaiter = LambdaWaiter.builder().client(syncClient).overrideConfiguration(waiting).build();
            this.waiterScheduler = null;
            this.asyncWaiter = null;
        } else {
            this.ownedPool = null;
            this.executor = Runnable::run;
            this.syncWaiter = null;
            this.waiterScheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("faasx-lambda-waiter"));
            this.asyncWaiter = LambdaAsyncWaiter.builder().client(asyncClient).overrideConfiguration(waiting)
                    .scheduledExecutorService(waiterScheduler).build();
        }
    }

    /**
     * Over a blocking client; calls run on {@code executor}, or on an own pool of daemon threads when it is null.
     *
     * @param owned whether closing this object closes the client
     */
    public static LambdaApi overSync(LambdaClient client, boolean owned, Executor executor,
                                     WaiterOverrideConfiguration waiting) {
        return new LambdaApi(Objects.requireNonNull(client, "client"), null, executor, waiting, owned ? client : null);
    }

    /** Over an asynchronous client, which the caller keeps and closes. */
    public static LambdaApi overAsync(LambdaAsyncClient client, WaiterOverrideConfiguration waiting) {
        return new LambdaApi(null, Objects.requireNonNull(client, "client"), null, waiting, null);
    }

    /** Runs one Lambda call on whichever client this object wraps. */
    public <T> CompletableFuture<T> call(Function<LambdaClient, T> onSync,
                                         Function<LambdaAsyncClient, CompletableFuture<T>> onAsync) {
        try {
            return syncClient != null
                    ? CompletableFuture.supplyAsync(() -> onSync.apply(syncClient), executor)
                    : onAsync.apply(asyncClient);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("the executor has been closed", e));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits until the function's state is {@code Active} (it fails when the state becomes {@code Failed}). */
    public CompletableFuture<GetFunctionResponse> waitUntilActive(String functionName) {
        GetFunctionRequest request = GetFunctionRequest.builder().functionName(functionName).build();
        return waited(syncClient != null
                ? CompletableFuture.supplyAsync(() -> syncWaiter.waitUntilFunctionActiveV2(request), executor)
                : asyncWaiter.waitUntilFunctionActiveV2(request));
    }

    /** Waits until the function's last update is {@code Successful} (it fails when the update failed). */
    public CompletableFuture<GetFunctionResponse> waitUntilUpdated(String functionName) {
        GetFunctionRequest request = GetFunctionRequest.builder().functionName(functionName).build();
        return waited(syncClient != null
                ? CompletableFuture.supplyAsync(() -> syncWaiter.waitUntilFunctionUpdatedV2(request), executor)
                : asyncWaiter.waitUntilFunctionUpdatedV2(request));
    }

    /** Waits until a published version is {@code Active}. */
    public CompletableFuture<GetFunctionConfigurationResponse> waitUntilVersionActive(String functionName,
                                                                                      String version) {
        GetFunctionConfigurationRequest request = GetFunctionConfigurationRequest.builder()
                .functionName(functionName).qualifier(version).build();
        return waited(syncClient != null
                ? CompletableFuture.supplyAsync(() -> syncWaiter.waitUntilPublishedVersionActive(request), executor)
                : asyncWaiter.waitUntilPublishedVersionActive(request));
    }

    /** Runs {@code task} after {@code delayMillis} on this object's threads, for polls that have no SDK waiter. */
    public CompletableFuture<Void> delay(long delayMillis) {
        Executor delayed = CompletableFuture.delayedExecutor(delayMillis, java.util.concurrent.TimeUnit.MILLISECONDS,
                executor);
        return CompletableFuture.runAsync(() -> { }, delayed);
    }

    private static <T> CompletableFuture<T> waited(CompletableFuture<? extends WaiterResponse<T>> waiting) {
        return waiting.thenCompose(response -> {
            var matched = response.matched();
            if (matched.response().isPresent()) {
                return CompletableFuture.completedFuture(matched.response().get());
            }
            return CompletableFuture.failedFuture(matched.exception().orElseGet(
                    () -> new IllegalStateException("waiter ended without a response")));
        });
    }

    @Override
    public void close() {
        if (syncWaiter != null) {
            syncWaiter.close();
        }
        if (asyncWaiter != null) {
            asyncWaiter.close();
        }
        if (waiterScheduler != null) {
            waiterScheduler.shutdownNow();
        }
        if (ownedPool != null) {
            ownedPool.shutdown();
        }
        if (ownedClient != null) {
            try {
                ownedClient.close();
            } catch (Exception ignored) {
                // Closing an HTTP client that is already closed is harmless.
            }
        }
    }
}
