package dev.retina.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.ModelLocator;
import dev.retina.cli.RetinaCli;
import dev.retina.streams.stats.DriftReference;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code retina demo --exit-when-done} in this JVM: embedded broker and registry, the streams app with the shipped
 * model, synthetic images with malformed records mixed in; it must end by itself with exactly one summary line that
 * accounts for every record, and exit 0. With one-second statistics windows (grace two seconds, well above how far
 * the three input partitions drift apart) and the records paced over about four and a half seconds, at least one
 * window closes during the run; every window printed must count exactly the images whose event
 * time (printed on each image line) lies inside it.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DemoCommandIntegrationTest {

    private static final Pattern WINDOW = Pattern.compile("stats shapes:1  (\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d)"
            + " - (?:(\\d{4}-\\d\\d-\\d\\d) )?(\\d\\d:\\d\\d:\\d\\d) UTC  images (\\d+)  late (\\d+)");
    private static final Pattern IMAGE_TIME = Pattern.compile("^image #.*  at (\\S+)$");
    private static final Pattern SUMMARY = Pattern.compile("produced=(\\d+) classified=(\\d+) dead_lettered=(\\d+)"
            + " lost=(\\d+) duplicates=(\\d+) accuracy=(\\S+) images_per_s=(\\d+\\.\\d)");

    @Test
    void exitWhenDoneAccountsForEveryRecordInOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("demo", "--images", "80", "--bad", "11", "--rate", "20", "--stats-window", "1s",
                "--stats-grace", "2s", "--exit-when-done");

        assertThat(code).as("exit code; stderr: %s%nstdout: %s", err, out).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines.get(0)).startsWith("retina demo: kafka=localhost:").contains("model=shapes:1");
        assertThat(lines).anyMatch(l -> l.matches("retina demo: live dashboard at http://localhost:\\d+/"));
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
        List<Instant> imageTimes = lines.stream().map(IMAGE_TIME::matcher).filter(Matcher::matches)
                .map(t -> Instant.parse(t.group(1))).toList();
        assertThat(imageTimes).hasSize(80);
        List<String> windows = lines.stream().filter(l -> l.startsWith("stats ")).toList();
        assertThat(windows).as("output:%n%s", out).isNotEmpty();
        long windowImages = 0;
        for (String w : windows) {
            Matcher h = WINDOW.matcher(w);
            assertThat(h.matches()).as(w).isTrue();
            Instant start = Instant.parse(h.group(1) + "T" + h.group(2) + "Z");
            Instant end = Instant.parse((h.group(3) == null ? h.group(1) : h.group(3)) + "T" + h.group(4) + "Z");
            long inside = imageTimes.stream().filter(t -> !t.isBefore(start) && t.isBefore(end)).count();
            assertThat(Long.parseLong(h.group(5))).as("images counted by %s", w).isEqualTo(inside).isPositive();
            assertThat(h.group(6)).isEqualTo("0");
            windowImages += inside;
        }
        assertThat(lines).filteredOn(l -> l.startsWith("statistics: ")).singleElement().asString()
                .startsWith("statistics: " + windows.size() + (windows.size() == 1 ? " window" : " windows")
                        + " of 1s emitted (" + windowImages + " images),"
                        + " each counting exactly the classifications in it");
        assertThat(lines).noneMatch(l -> l.contains("MISMATCH"));
        System.out.println("demo: " + summaries.get(0));
        // The first window's whole table, for the record of what the demo shows.
        int first = lines.indexOf(windows.get(0));
        lines.subList(first, lines.size()).stream().takeWhile(l -> l == windows.get(0) || l.startsWith("  "))
                .forEach(l -> System.out.println("demo: " + l));
        lines.stream().filter(l -> l.startsWith("statistics: ")).forEach(l -> System.out.println("demo: " + l));
    }

    @Test
    void aReferenceWrittenByEvaluateIsTheDriftBaseline(@TempDir Path dir) {
        Path model = ModelLocator.find(ModelLocator.SHIPPED_SHAPES, System.getenv()).orElseThrow();
        Path reference = dir.resolve("shapes-1.json");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine evaluate = RetinaCli.newCommandLine();
        evaluate.setOut(new PrintWriter(out, true));
        evaluate.setErr(new PrintWriter(err, true));
        assertThat(evaluate.execute("evaluate", "--model-dir", model.toString(), "--dataset", "synthetic", "--limit",
                "200", "--write-reference", reference.toString(), "--reference-description", "evaluation set"))
                .as("stderr: %s", err).isZero();

        CommandLine cli = RetinaCli.newCommandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("demo", "--images", "80", "--rate", "30", "--stats-window", "1s", "--stats-grace", "1s",
                "--reference", reference.toString(), "--quiet", "--exit-when-done");

        assertThat(code).as("exit code; stderr: %s%nstdout: %s", err, out).isZero();
        List<String> lines = out.toString().lines().toList();
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("stats shapes:1 ")) {
                windows.add(i);
            }
        }
        assertThat(windows).as("output:%n%s", out).isNotEmpty();
        for (int start : windows) {
            // From its first window on, every window is compared with the file, not with a window of its own.
            assertThat(lines.subList(start, lines.size())).filteredOn(l -> l.startsWith("  drift "))
                    .first().asString().containsPattern("^  drift       (ok|DRIFT)  psi class \\d\\.\\d{3}  confidence"
                            + " \\d\\.\\d{3}  threshold 0\\.20  embedding shift \\d+\\.\\d{3}  standardised"
                            + " \\d+\\.\\d{3} \\(threshold 0\\.50\\)$");
            assertThat(lines.subList(start, lines.size())).filteredOn(l -> l.startsWith("  reference "))
                    .first().isEqualTo("  reference   evaluation set");
        }
        System.out.println("demo with reference: " + lines.stream().filter(l -> l.startsWith("  drift ")).toList());
    }

    @Test
    void badArgumentsAreRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
        StringWriter err = new StringWriter();
        CommandLine cli = RetinaCli.newCommandLine();
        cli.setErr(new PrintWriter(err, true));

        assertThat(cli.execute("demo", "--rate", "-3")).isEqualTo(2);
        assertThat(err.toString()).contains("--rate must be a number of records per second >= 0");
        assertThat(cli.execute("demo", "--model-dir", "no/such/model")).isEqualTo(2);
        assertThat(err.toString()).contains("expected --model-dir to name a model package directory, found nothing");
        assertThat(cli.execute("demo", "--stats-window", "0s")).isEqualTo(2);
        assertThat(err.toString()).contains("--stats-window must be a duration of at least 1ms, found 0s");
        assertThat(cli.execute("demo", "--stats-grace", "a while")).isEqualTo(2);
        assertThat(err.toString()).contains("Invalid value for --stats-grace: 'a while'");
        Path wrongVersion = dir.resolve("shapes-9.json");
        new DriftReference("other", "shapes", "9", 10, Map.of("circle", 1.0),
                new double[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, null, null).write(wrongVersion);
        assertThat(cli.execute("demo", "--reference", wrongVersion.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected --reference to describe the served model shapes:1, found a"
                + " reference for shapes:9");
        Files.writeString(dir.resolve("broken.json"), "{\"format\": \"retina-drift-reference/1\"}");
        assertThat(cli.execute("demo", "--reference", dir.resolve("broken.json").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("expected --reference to name a drift reference file: drift reference ")
                .contains("missing required field");
    }
}
