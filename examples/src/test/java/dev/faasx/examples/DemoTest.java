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
        // the table adds up: per job, where it ran, cold/warm/unknown each account for every call
        report.rows().values().forEach(row -> {
            assertThat(row.where.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(row.calls);
            assertThat(row.cold + row.warm + row.coldUnknown).isEqualTo(row.calls);
            assertThat(row.failureTypes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(row.failures);
        });
        assertThat(report.rows().values().stream().mapToInt(r -> r.calls).sum()).isEqualTo(report.results());
        assertThat(report.problems(Demo.plannedCalls(0.05))).isEmpty();
        String printed = text.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("where it ran", "retries", "checksum", "shout (worker)", "word count (worker)",
                "word count (process)", "measured by the runner");
        for (long job : new long[] {Demo.CHECKSUM, Demo.SHOUT, Demo.WORD_COUNT, Demo.WORD_COUNT_PROCESS}) {
            DemoReport.Row row = report.rows().get(job);
            assertThat(printed).containsPattern("(?m)^" + job + " +\\S.* " + row.calls + " +" + row.failures + " ");
        }
    }
}
