package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.RetinaCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code retina demo --exit-when-done} in this JVM: embedded broker and registry, the streams app with the shipped
 * model, synthetic images with malformed records mixed in; it must end by itself with exactly one summary line that
 * accounts for every record, and exit 0.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoCommandIntegrationTest {

    private static final Pattern SUMMARY = Pattern.compile("produced=(\\d+) classified=(\\d+) dead_lettered=(\\d+)"
            + " lost=(\\d+) duplicates=(\\d+) accuracy=(\\S+) images_per_s=(\\d+\\.\\d)");

    @Test
    void exitWhenDoneAccountsForEveryRecordInOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("demo", "--images", "80", "--bad", "11", "--rate", "0", "--exit-when-done");

        assertThat(code).as("exit code; stderr: %s", err).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("retina demo: kafka=localhost:").contains("model=shapes:1");
        List<String> summaries = lines.stream().filter(l -> l.startsWith("produced=")).toList();
        assertThat(summaries).as("output:%n%s", out).hasSize(1);
        assertThat(lines.get(lines.size() - 1)).isEqualTo(summaries.get(0));
        Matcher m = SUMMARY.matcher(summaries.get(0));
        assertThat(m.matches()).as(summaries.get(0)).isTrue();
        assertThat(Integer.parseInt(m.group(1))).isEqualTo(91);
        assertThat(Integer.parseInt(m.group(2))).isEqualTo(80);
        assertThat(Integer.parseInt(m.group(3))).isEqualTo(11);
        assertThat(Integer.parseInt(m.group(4))).isZero();
        assertThat(Integer.parseInt(m.group(5))).isZero();
        assertThat(Double.parseDouble(m.group(6))).isGreaterThanOrEqualTo(0.95);
        assertThat(Double.parseDouble(m.group(7))).isPositive();
        assertThat(lines).filteredOn(l -> l.startsWith("image #")).hasSize(80);
        assertThat(lines).filteredOn(l -> l.startsWith("dead letter ")).hasSize(11);
        System.out.println("demo: " + summaries.get(0));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts() {
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setErr(new PrintWriter(err, true));

        assertThat(cli.execute("demo", "--rate", "-3")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be a number of records per second >= 0");
        assertThat(cli.execute("demo", "--model-dir", "no/such/model")).isEqualTo(2);
        assertThat(err.toString()).contains("expected --model-dir to name a model package directory, found nothing");
    }
}
