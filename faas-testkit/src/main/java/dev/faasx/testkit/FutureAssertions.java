package dev.faasx.testkit;

import dev.faasx.core.internal.Throwables;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for the futures of a {@link dev.faasx.core.FaasExecutor} in tests, with a generous limit, and unwraps
 * {@link CompletionException} and {@link ExecutionException} so that assertions see the
 * {@link dev.faasx.core.FaasException} itself.
 *
 * <pre>{@code
 * JobOutput out = await(executor.invoke(call));
 * FunctionErrorException e = failureOf(executor.invoke(failing), FunctionErrorException.class);
 * assertThat(e.reason()).contains("boom");
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class FutureAssertions {
    /** How long {@link #await(Future)} and {@link #failureOf(Future, Class)} wait: 30 s. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

    private FutureAssertions() {
    }

    /** The value of {@code future}, waiting up to {@link #DEFAULT_WAIT}; a failure is rethrown unwrapped. */
    public static <T> T await(Future<T> future) {
        return await(future, DEFAULT_WAIT);
    }

    /**
     * The value of {@code future}, waiting up to {@code wait}.
     *
     * @throws RuntimeException the future's own failure, unwrapped (an unchecked cause is rethrown as is)
     * @throws AssertionError   when the future does not complete in time
     */
    public static <T> T await(Future<T> future, Duration wait) {
        try {
            return future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new AssertionError("the operation failed with " + cause, cause);
        } catch (TimeoutException e) {
            throw new AssertionError("the operation did not complete within " + wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the operation", e);
        }
    }

    /** The failure of {@code future}, which must fail with a {@code type} within {@link #DEFAULT_WAIT}. */
    public static <E extends Throwable> E failureOf(Future<?> future, Class<E> type) {
        return failureOf(future, type, DEFAULT_WAIT);
    }

    /**
     * The failure of {@code future}, unwrapped.
     *
     * @throws AssertionError when the future succeeds, fails with another type, or does not complete in time
     */
    public static <E extends Throwable> E failureOf(Future<?> future, Class<E> type, Duration wait) {
        Objects.requireNonNull(type, "type");
        Object value;
        try {
            value = future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = unwrap(e);
            if (!type.isInstance(cause)) {
                throw new AssertionError("expected the operation to fail with " + type.getSimpleName()
                        + " but it failed with " + cause, cause);
            }
            return type.cast(cause);
        } catch (TimeoutException e) {
            throw new AssertionError("expected the operation to fail with " + type.getSimpleName()
                    + " but it did not complete within " + wait, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the operation", e);
        }
        throw new AssertionError("expected the operation to fail with " + type.getSimpleName()
                + " but it succeeded with " + value);
    }

    /** {@code error} without its {@link CompletionException} and {@link ExecutionException} wrappers. */
    public static Throwable unwrap(Throwable error) {
        return Throwables.unwrap(error);
    }
}
