package dev.faasx.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.aws.function.internal.JobInvocations;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The executor's warm-up ping")
class WarmUpPingTest {
    @Test
    @DisplayName("is recognised by the function adapter, which answers it without running the job")
    void adapterAnswersTheExecutorsPing() {
        AtomicInteger runs = new AtomicInteger();
        JobInvocations adapter = new JobInvocations(call -> {
            runs.incrementAndGet();
            throw new AssertionError("the job must not run");
        });
        var outcome = adapter.handle(WarmUpPing.ping());
        assertThat(outcome).isInstanceOfSatisfying(JobInvocations.Answer.class,
                a -> assertThat(a.payload()).isEqualTo(WarmUpPing.pong()));
        assertThat(runs).hasValue(0);
    }
}
