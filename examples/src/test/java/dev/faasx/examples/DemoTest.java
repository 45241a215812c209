package dev.faasx.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(300)
class DemoTest {

    @Test
    void demoDeliversOneResultPerCallAndPrintsATablePerJob() throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        DemoReport report = Demo.run(0.05, new PrintStream(text, true, StandardCharsets.UTF_8));

        assertThat(report.results()).isEqualTo(Demo.plannedCalls(0.05));
        assertThat(report.rows()).containsOnlyKeys(Demo.CHECKSUM, Demo.SHOUT, Demo.WORD_COUNT,
                Demo.WORD_COUNT_PROCESS);
        assertThat(report.rows().get(Demo.CHECKSUM).where).containsOnlyKeys("local");
        assertThat(report.rows().get(Demo.SHOUT).where).containsOnlyKeys("custom-http");
        assertThat(report.rows().get(Demo.SHOUT).failures).isZero();
        // Only word counts of inputs with a NUL byte fail, and they fail as function errors.
        report.rows().values().forEach(row ->
                assertThat(row.failureTypes.keySet()).isSubsetOf("FunctionErrorException"));
        String printed = text.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("where it ran", "checksum", "shout (worker)", "word count (process)");
    }
}
