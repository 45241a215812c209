package dev.faasx.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.faasx.core.FaasException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Waits for futures in tests, with a generous limit for a loaded machine. */
final class Outcomes {
    private Outcomes() {
    }

    static <T> T value(CompletableFuture<T> future) throws Exception {
        return future.get(60, TimeUnit.SECONDS);
    }

    /** The {@link FaasException} the future failed with; fails the test if it succeeded or failed otherwise. */
    static FaasException failure(CompletableFuture<?> future) {
        Throwable t = catchThrowable(() -> future.get(60, TimeUnit.SECONDS));
        assertThat(t).as("the operation should fail").isInstanceOf(ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(FaasException.class);
        return (FaasException) t.getCause();
    }
}
