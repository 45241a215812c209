package dev.faasx.cloudflare.internal.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.faasx.cloudflare.AnalyticsDataPoint;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SqlEngineTest {
    private static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");
    private static final List<AnalyticsDataPoint> POINTS = List.of(
            point("inv", "2026-05-01T11:59:00Z", "r1", List.of("job-7", "success", "cold"), 12.0),
            point("inv", "2026-05-01T11:59:30Z", "r2", List.of("job-7", "success", "warm"), 3.0),
            point("inv", "2026-05-01T11:59:45Z", "r3", List.of("job-7", "failure", "warm"), 4.5),
            point("inv", "2026-04-01T00:00:00Z", "old", List.of("job-7", "success", "warm"), 1.0),
            point("other", "2026-05-01T11:59:50Z", "x", List.of("job-9", "success", "cold"), 99.0));

    private final ObjectMapper json = new ObjectMapper();
    private final SqlEngine engine = new SqlEngine(json);

    private static AnalyticsDataPoint point(String dataset, String at, String index, List<String> blobs, double d1) {
        return new AnalyticsDataPoint(dataset, Instant.parse(at), List.of(index), blobs, List.of(d1, 0.0));
    }

    private JsonNode run(String sql) throws Exception {
        return json.readTree(engine.run(sql, POINTS, NOW));
    }

    @Nested
    class Selecting {
        @Test
        void filtersByTimeWindowAndListsOfValues() throws Exception {
            JsonNode r = run("SELECT index1 AS id, double1 FROM inv WHERE timestamp >= toDateTime(1777636740) "
                    + "AND index1 IN ('r1', 'r3', 'old') ORDER BY id DESC");

            assertThat(r.path("rows").asInt()).isEqualTo(2);
            assertThat(r.path("data").toString()).isEqualTo("[{\"id\":\"r3\",\"double1\":4.5},{\"id\":\"r1\","
                    + "\"double1\":12.0}]");
            assertThat(r.path("meta").toString()).isEqualTo("[{\"name\":\"id\",\"type\":\"String\"},"
                    + "{\"name\":\"double1\",\"type\":\"Float64\"}]");
        }

        @Test
        void understandsNowMinusAnIntervalBetweenAndNot() throws Exception {
            assertThat(run("SELECT index1 FROM inv WHERE timestamp > NOW() - INTERVAL '1' DAY").path("rows").asInt())
                    .isEqualTo(3);
            assertThat(run("SELECT index1 FROM inv WHERE double1 BETWEEN 3 AND 5 AND NOT blob2 = 'failure'")
                    .path("data").toString()).isEqualTo("[{\"index1\":\"r2\"}]");
            assertThat(run("SELECT index1 FROM inv WHERE index1 NOT IN ('r1', 'r2') OR (blob3 = 'cold')")
                    .path("rows").asInt()).isEqualTo(3);
        }

        @Test
        void writesTimestampsAsClickHouseDateTimesAndHonoursLimit() throws Exception {
            JsonNode r = run("SELECT timestamp, _sample_interval FROM inv ORDER BY timestamp LIMIT 1");

            assertThat(r.path("data").toString()).isEqualTo("[{\"timestamp\":\"2026-04-01 00:00:00\","
                    + "\"_sample_interval\":1}]");
        }

        @Test
        void answersJsonEachRowAndTheStarColumns() throws Exception {
            String lines = engine.run("SELECT * FROM other FORMAT JSONEachRow", POINTS, NOW);

            assertThat(lines.lines().count()).isEqualTo(1);
            JsonNode row = json.readTree(lines);
            assertThat(row.path("dataset").asText()).isEqualTo("other");
            assertThat(row.path("blob20").asText()).isEmpty();
            assertThat(row.path("double20").asDouble()).isZero();
        }
    }

    @Nested
    class Aggregating {
        @Test
        void countsWithTheSampleIntervalPerGroup() throws Exception {
            JsonNode r = run("SELECT blob2 AS outcome, SUM(_sample_interval) AS n, COUNT() AS c, MAX(double1) AS top,"
                    + " AVG(double1) FROM inv WHERE timestamp >= toDateTime('2026-05-01 00:00:00') GROUP BY outcome"
                    + " ORDER BY n DESC");

            assertThat(r.path("data").toString()).isEqualTo("[{\"outcome\":\"success\",\"n\":\"2\",\"c\":\"2\","
                    + "\"top\":12.0,\"AVG(double1)\":7.5},{\"outcome\":\"failure\",\"n\":\"1\",\"c\":\"1\","
                    + "\"top\":4.5,\"AVG(double1)\":4.5}]");
        }

        @Test
        void aggregatesWithoutGroupsIntoOneRowEvenWhenNothingMatches() throws Exception {
            assertThat(run("SELECT SUM(_sample_interval * double1) AS weighted FROM inv WHERE blob1 = 'job-7'")
                    .path("data").toString()).isEqualTo("[{\"weighted\":20.5}]");
            assertThat(run("SELECT SUM(_sample_interval) AS n FROM inv WHERE blob1 = 'nobody'").path("data")
                    .toString()).isEqualTo("[{\"n\":\"0\"}]");
        }

        @Test
        void listsTheDatasetsThatHaveData() throws Exception {
            assertThat(run("SHOW TABLES").path("data").toString())
                    .isEqualTo("[{\"dataset\":\"inv\"},{\"dataset\":\"other\"}]");
        }
    }

    @Nested
    class Refusing {
        @Test
        void refusesWhatTheSubsetDoesNotCover() {
            assertThatThrownBy(() -> run("SELECT blob1 FROM inv WHERE blob1 LIKE 'job%'"))
                    .isInstanceOf(SqlParser.SqlException.class).hasMessageContaining("comparison operator");
            assertThatThrownBy(() -> run("SELECT blob1, COUNT() FROM inv"))
                    .hasMessageContaining("blob1 must be in GROUP BY");
            assertThatThrownBy(() -> run("SELECT nonsense FROM inv")).hasMessageContaining("unknown column nonsense");
            assertThatThrownBy(() -> run("SELECT blob1 FROM inv FORMAT TabSeparated"))
                    .hasMessageContaining("FORMAT TabSeparated is not supported");
            assertThatThrownBy(() -> run("SELECT blob1 FROM inv WHERE blob1 = 'open")).hasMessageContaining("not closed");
            assertThatThrownBy(() -> run("SELECT blob1 FROM inv WHERE blob1 = 7"))
                    .hasMessageContaining("cannot compare String with Float64");
        }

        @Test
        void escapesQuotesInsideStringLiterals() throws Exception {
            AnalyticsDataPoint quoted = point("q", "2026-05-01T11:00:00Z", "it's", List.of("a\\b"), 1.0);
            String out = engine.run("SELECT index1 FROM q WHERE index1 = 'it\\'s' OR index1 = 'it''s'",
                    List.of(quoted), NOW);

            assertThat(json.readTree(out).path("rows").asInt()).isEqualTo(1);
        }
    }
}
