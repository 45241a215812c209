package dev.faasx.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobQueueTest {

    @Test
    void closedQueueDeliversWhatWasQueuedThenEnds() throws Exception {
        JobQueue queue = JobQueue.withCapacity(4);
        JobCall a = JobCall.of(1, new byte[] {1});
        JobCall b = JobCall.of(2, new byte[] {2});
        queue.put(a);
        assertThat(queue.offer(b)).isTrue();
        queue.close();

        assertThat(queue.next()).contains(a);
        assertThat(queue.next()).contains(b);
        assertThat(queue.next()).isEmpty();
    }

    @Test
    void addingAfterCloseIsRefusedNotLost() {
        JobQueue queue = JobQueue.withCapacity(1);
        queue.close();
        JobCall call = JobCall.of(1, new byte[0]);

        assertThatThrownBy(() -> queue.put(call)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(call.callId());
        assertThatThrownBy(() -> queue.offer(call)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void everyCallAddedBeforeCloseFromManyThreadsIsTaken() throws Exception {
        JobQueue queue = JobQueue.withCapacity(8);
        List<Thread> producers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread producer = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    try {
                        queue.put(JobCall.of(i, new byte[0]));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            });
            producers.add(producer);
            producer.start();
        }
        Thread closer = new Thread(() -> {
            producers.forEach(p -> {
                try {
                    p.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            queue.close();
        });
        closer.start();

        int taken = 0;
        for (Optional<JobCall> next = queue.next(); next.isPresent(); next = queue.next()) {
            taken++;
        }
        assertThat(taken).isEqualTo(1000);
    }
}
