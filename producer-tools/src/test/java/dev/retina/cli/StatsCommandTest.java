package dev.retina.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.schemas.AvroTrust;
import dev.retina.schemas.avro.FeatureStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code retina stats} refuses bad options and says clearly when it cannot reach the cluster. */
@Timeout(60)
class StatsCommandTest {

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(run("stats", "--model", "shapes:")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for --model: expected NAME or NAME:VERSION"
                + " (e.g. shapes or shapes:2), found 'shapes:'");
        assertThat(run("stats", "--max", "-1")).isEqualTo(2);
        assertThat(err.toString()).contains("--max must be >= 0 (0 = no limit), found -1");
        assertThat(run("stats", "--connect-timeout", "soon")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for --connect-timeout: 'soon' (expected a duration");
        assertThat(run("stats", "--source", " ")).isEqualTo(2);
        assertThat(err.toString()).contains("--source must name an image source, found a blank");
        assertThat(run("stats", "--max", "many")).isEqualTo(2);
        assertThat(err.toString()).contains("'many' is not a long");
    }

    @Test
    void jsonLinesUseTheSchemaNamesAndIsoTimes() {
        AvroTrust.ensureTrusted();
        FeatureStats s = StatsTableTest.window(3, List.of(StatsTableTest.count("cat", 3))).setLateCount(2).build();

        String line = StatsCommand.json(new FeatureStatsReader.Entry(0, 5, "shapes:1@0", s, null));

        assertThat(line).startsWith("{\"windowStart\":\"2026-11-26T16:00:00Z\",\"windowEnd\":\"2026-11-26T16:01:00Z\","
                + "\"modelName\":\"shapes\",\"modelVersion\":\"1\",\"count\":3,"
                + "\"classCounts\":[{\"label\":\"cat\",\"count\":3}],")
                .contains("\"drift\":null").contains("\"lateCount\":2").endsWith("}");
        assertThat(StatsCommand.json(new FeatureStatsReader.Entry(1, 7, null, null, "not a \"FeatureStats\" record")))
                .isEqualTo("{\"partition\":1,\"offset\":7,\"undecodable\":\"not a \\\"FeatureStats\\\" record\"}");
    }

    @Test
    void unreachableBrokerIsNamed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int code = run("stats", "-b", "localhost:" + port, "--connect-timeout", "1500ms");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("retina stats: error: cannot reach Kafka at localhost:" + port
                + " within 1500 ms; expected a running broker at --bootstrap-servers");
        assertThat(out.toString()).isEmpty();
    }
}
