package dev.faasx.examples.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class KafkaScaleOutDemoTest {

    @Test
    void bothRunnersShareTheCallsAndEveryCallGetsOneCommittedResult() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        Map<String, Integer> perRunner = KafkaScaleOutDemo.run(300,
                new PrintStream(text, true, StandardCharsets.UTF_8));

        assertThat(perRunner).containsOnlyKeys("runner-a", "runner-b");
        assertThat(perRunner.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(300);
        assertThat(text.toString(StandardCharsets.UTF_8)).contains("| runner-a |", "| runner-b |",
                "300 committed results for 300 calls");
    }
}
