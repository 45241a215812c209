package dev.faasx.server.internal.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PeakMemoryTest {

    @Test
    void readsTheHighWaterMarkInKilobytes() {
        byte[] status = "Name:\techo\nVmPeak:\t  9000 kB\nVmHWM:\t    1234 kB\nVmRSS:\t  1000 kB\n"
                .getBytes(StandardCharsets.US_ASCII);

        assertThat(PeakMemory.parse(status, status.length)).isEqualTo(1234);
    }

    @Test
    void knowsNothingForAZombieWithoutMemoryLines() {
        byte[] status = "Name:\techo\nState:\tZ (zombie)\nThreads:\t1\n".getBytes(StandardCharsets.US_ASCII);

        assertThat(PeakMemory.parse(status, status.length)).isEqualTo(-1);
    }

    @Test
    void readsThisProcessesOwnPeakWhereProcExists() {
        try (PeakMemory memory = PeakMemory.of(ProcessHandle.current())) {
            if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/status"))) {
                assertThat(memory.peakMb()).isPresent();
                assertThat(memory.peakMb().getAsLong()).isPositive();
            } else {
                assertThat(memory.peakMb()).isEmpty();
            }
        }
    }
}
