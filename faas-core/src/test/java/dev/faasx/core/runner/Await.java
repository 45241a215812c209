package dev.faasx.core.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.faasx.core.FaasRunner;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous limit, so tests stay correct on a loaded machine. */
final class Await {
    static final Duration LIMIT = Duration.ofSeconds(20);

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("gave up waiting after " + LIMIT + " for: " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted while waiting for: " + what);
            }
        }
    }

    /** Stops {@code runner} at once (cancelling what is left) and checks that it terminates. */
    static void stopped(FaasRunner runner) throws InterruptedException {
        if (runner != null) {
            runner.shutdown(Duration.ZERO);
            assertThat(runner.awaitTermination(LIMIT)).as("the runner terminates").isTrue();
        }
    }
}
