package dev.faasx.core.runner;

import static dev.faasx.core.runner.Calls.LOCAL_ECHO;
import static dev.faasx.core.runner.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faasx.core.ErrorContext;
import dev.faasx.core.FaasRunner;
import dev.faasx.core.JobCall;
import dev.faasx.core.JobProducer;
import dev.faasx.core.JobResult;
import dev.faasx.core.JobRouter;
import dev.faasx.core.RunnerListener;
import dev.faasx.core.ThrottledException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120) // a hang fails the test instead of stalling the build
class FaasRunnerListenerTest {
    private final RecordingListener first = new RecordingListener();
    private final RecordingListener second = new RecordingListener();
    private final ScriptedExecutor remote = ScriptedExecutor.named("cloud");
    private FaasRunner runner;

    @AfterEach
    void closeRunner() throws InterruptedException {
        Await.stopped(runner);
    }

    private FaasRunner.Builder builder() {
        return FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                .withFaasExecutor(7, remote).listener(first).listener(second);
    }

    @Nested
    class Events {
        @Test
        void aLocalCallStartsAndSucceeds() {
            runner = builder().build();

            JobResult result = runner.call(call(1, "c-1", "x")).join();

            assertThat(first.events).containsExactly("started c-1", "succeeded c-1");
            assertThat(first.finished).containsExactly(result);
        }

        @Test
        void aRemoteCallIsDelegatedToItsExecutor() {
            runner = builder().build();

            runner.call(call(7, "c-7", "x")).join();

            assertThat(first.events).containsExactly("started c-7", "delegated c-7 cloud", "succeeded c-7");
        }

        @Test
        void aFailedCallReportsItsError() {
            remote.then(ScriptedExecutor.failWith(new ThrottledException("slow down", ErrorContext.of("cloud"))));
            runner = builder().build();

            runner.call(call(7, "c-7", "x")).join();
            runner.call(call(42, "c-42", "x")).join();

            assertThat(first.events).containsExactly("started c-7", "delegated c-7 cloud",
                    "failed c-7 ThrottledException", "started c-42", "failed c-42 NoRouteException");
        }

        @Test
        void producerCallsAreReportedLikeDirectOnesAndEveryListenerSeesEverything() {
            RecordingConsumer consumer = new RecordingConsumer();
            runner = builder().producer(JobProducer.of(call(1, "p-1", "a"), call(7, "p-2", "b")))
                    .consumer(consumer).build();

            runner.run();

            assertThat(first.eventsOf("p-1")).containsExactly("started p-1", "succeeded p-1");
            assertThat(first.eventsOf("p-2")).containsExactly("started p-2", "delegated p-2 cloud", "succeeded p-2");
            assertThat(second.events).containsExactlyInAnyOrderElementsOf(first.events);
            assertThat(first.finished).containsExactlyInAnyOrderElementsOf(consumer.results());
        }
    }

    @Nested
    class AFailingListener {
        @Test
        void changesNothingForTheCallNorForTheOtherListeners() {
            RunnerListener broken = new RunnerListener() {
                @Override
                public void callStarted(JobCall call) {
                    throw new IllegalStateException("broken listener");
                }

                @Override
                public void callSucceeded(JobCall call, JobResult.Success result) {
                    throw new IllegalStateException("broken listener");
                }
            };
            runner = FaasRunner.builder().router(JobRouter.builder().route(1, LOCAL_ECHO).build())
                    .listener(broken).listener(first).build();

            JobResult result = runner.call(call(1, "c-1", "x")).join();

            assertThat(result.isSuccess()).isTrue();
            assertThat(first.events).isEqualTo(List.of("started c-1", "succeeded c-1"));
        }
    }
}
