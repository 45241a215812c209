package dev.faasx.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FunctionErrorException;
import dev.faasx.core.FunctionNotFoundException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FutureAssertionsTest {
    private static final FunctionErrorException BOOM = new FunctionErrorException("boom", ErrorContext.of("test", 1));

    @Test
    void unwrapRemovesNestedWrappers() {
        Throwable wrapped = new CompletionException(new ExecutionException(new CompletionException(BOOM)));
        assertThat(FutureAssertions.unwrap(wrapped)).isSameAs(BOOM);
    }

    @Test
    void awaitRethrowsTheFailureUnwrapped() {
        CompletableFuture<String> failed = CompletableFuture.supplyAsync(() -> {
            throw BOOM;
        });
        assertThatThrownBy(() -> FutureAssertions.await(failed)).isSameAs(BOOM);
    }

    @Test
    void awaitGivesUpAfterTheWait() {
        assertThatThrownBy(() -> FutureAssertions.await(new CompletableFuture<>(), Duration.ofMillis(10)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("did not complete");
    }

    @Test
    void failureOfReturnsTheTypedFailure() {
        CompletableFuture<String> failed = CompletableFuture.supplyAsync(() -> {
            throw BOOM;
        });
        assertThat(FutureAssertions.failureOf(failed, FunctionErrorException.class).reason()).isEqualTo("boom");
    }

    @Test
    void failureOfRejectsASuccess() {
        assertThatThrownBy(() -> FutureAssertions.failureOf(CompletableFuture.completedFuture("fine"),
                FunctionErrorException.class))
                .isInstanceOf(AssertionError.class).hasMessageContaining("succeeded with fine");
    }

    @Test
    void failureOfRejectsAnotherFailureType() {
        assertThatThrownBy(() -> FutureAssertions.failureOf(CompletableFuture.failedFuture(BOOM),
                FunctionNotFoundException.class))
                .isInstanceOf(AssertionError.class).hasMessageContaining("failed with").hasCause(BOOM);
    }
}
