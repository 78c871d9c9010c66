package dev.retina.cli;

import static dev.retina.cli.EngineCommandFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.retina.cli.EngineCommandFixtures.Run;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class BenchCommandTest {

    private static final Pattern RETINA_LINE = Pattern.compile("engine=retina model=tiny batch=(\\d+) threads=(\\d+)"
            + " images_per_s=(\\d+\\.\\d{2}) p50_ms=(\\d+\\.\\d{3}) p99_ms=(\\d+\\.\\d{3}) alloc_bytes_per_image=(\\d+)");
    private static final Pattern ORT_LINE = Pattern.compile("engine=onnxruntime model=tiny batch=(\\d+) threads=(\\d+)"
            + " images_per_s=(\\d+\\.\\d{2}) p50_ms=(\\d+\\.\\d{3}) p99_ms=(\\d+\\.\\d{3})");
    private static final Pattern RATIO_LINE = Pattern.compile("ratio_vs_onnxruntime=(\\d+\\.\\d{3})");

    @TempDir
    Path dir;

    @Test
    void printsTheRetinaLineInItsExactForm() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        Run r = run("bench", "--model", model.toString(), "--batch", "3", "--threads", "2", "--seconds", "0.3",
                "--warmup-seconds", "0.1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(1);
        Matcher m = RETINA_LINE.matcher(lines[0]);
        assertThat(m.matches()).as(lines[0]).isTrue();
        assertThat(m.group(1)).isEqualTo("3");
        assertThat(m.group(2)).isEqualTo("2");
        assertThat(Double.parseDouble(m.group(3))).isPositive();
        assertThat(Double.parseDouble(m.group(5))).isGreaterThanOrEqualTo(Double.parseDouble(m.group(4)));
    }

    @Test
    void profilePrintsEveryStepAfterTheRetinaLineMostExpensiveFirst() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        Run r = run("bench", "--model", model.toString(), "--seconds", "0.3", "--warmup-seconds", "0.1", "--profile");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(RETINA_LINE.matcher(lines[0]).matches()).as(lines[0]).isTrue();
        assertThat(lines.length).isGreaterThan(1);
        Pattern profileLine = Pattern.compile("profile step=(\\d+) node=\\S+ op=(\\w+) output=\\[[\\d,]+\\]"
                + " macs=(\\d+) share_pct=(\\d+\\.\\d) ms_per_call=\\d+\\.\\d{3} gmacs_per_s=\\d+\\.\\d");
        double share = 0;
        double previous = 100;
        java.util.Set<String> steps = new java.util.HashSet<>();
        for (int i = 1; i < lines.length; i++) {
            Matcher m = profileLine.matcher(lines[i]);
            assertThat(m.matches()).as(lines[i]).isTrue();
            assertThat(steps.add(m.group(1))).as("step %s printed once", m.group(1)).isTrue();
            double p = Double.parseDouble(m.group(4));
            assertThat(p).isLessThanOrEqualTo(previous);
            previous = p;
            share += p;
        }
        assertThat(share).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.5 * lines.length));
        assertThat(r.out()).contains("op=Gemm");
    }

    @Test
    void comparesWithOnnxRuntimeAndPrintsTheRatio() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        Run r = run("bench", "--model", model.toString(), "--threads", "1", "--seconds", "0.3",
                "--warmup-seconds", "0.1", "--compare", "onnxruntime", "--jdk-info");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(4);
        assertThat(lines[0]).startsWith("jdk java_version=" + System.getProperty("java.version"))
                .contains(" kernels=").contains(" macs_per_image=");
        Matcher retina = RETINA_LINE.matcher(lines[1]);
        Matcher ort = ORT_LINE.matcher(lines[2]);
        Matcher ratio = RATIO_LINE.matcher(lines[3]);
        assertThat(retina.matches()).as(lines[1]).isTrue();
        assertThat(ort.matches()).as(lines[2]).isTrue();
        assertThat(ratio.matches()).as(lines[3]).isTrue();
        double expected = Double.parseDouble(retina.group(3)) / Double.parseDouble(ort.group(3));
        assertThat(Double.parseDouble(ratio.group(1))).isCloseTo(expected,
                within(expected * 0.01 + 0.001));
    }

    @Test
    void profileWithCompareAlsoPrintsOnnxRuntimesNodesFromItsProfiler() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        Run r = run("bench", "--model", model.toString(), "--threads", "1", "--seconds", "0.3",
                "--warmup-seconds", "0.1", "--compare", "onnxruntime", "--profile");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Pattern ortLine = Pattern.compile("profile engine=onnxruntime node=\\S+ op=(\\w+) output=(\\S+)"
                + " share_pct=(\\d+\\.\\d) ms_per_call=\\d+\\.\\d{3}");
        List<String> ortLines = r.out().lines().filter(l -> l.startsWith("profile engine=onnxruntime")).toList();
        assertThat(ortLines).isNotEmpty();
        double share = 0;
        for (String line : ortLines) {
            Matcher m = ortLine.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            share += Double.parseDouble(m.group(3));
        }
        assertThat(share).isCloseTo(100.0, org.assertj.core.data.Offset.offset(0.5 * ortLines.size()));
        assertThat(String.join("\n", ortLines)).contains("op=Gemm");
        // Retina's steps come first, ONNX Runtime's nodes after them.
        List<String> all = r.out().lines().toList();
        assertThat(all.indexOf(ortLines.get(0))).isGreaterThan(all.stream()
                .filter(l -> l.startsWith("profile step=")).mapToInt(all::indexOf).max().orElseThrow());
    }

    @Test
    void compareWithoutOnnxRuntimeOnTheClassPathSaysSoAndFails() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        BenchCommand command = new BenchCommand();
        command.onnxRuntimeClass = "ai.onnxruntime.NotOnThisClassPath";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(command);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(e.getMessage());
            return 1;
        });
        int code = cli.execute("--model", model.toString(), "--seconds", "0.1", "--compare", "onnxruntime");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString()).contains("com.microsoft.onnxruntime:onnxruntime")
                .contains("not there").contains("ai.onnxruntime.NotOnThisClassPath");
    }

    @Test
    void badOptionsAreUsageErrorsNamingWhatWasFound() throws IOException {
        Path model = Files.write(dir.resolve("tiny.onnx"), EngineCommandFixtures.tinyClassifier());
        Run compare = run("bench", "--model", model.toString(), "--compare", "tensorflow");
        assertThat(compare.exitCode()).isEqualTo(2);
        assertThat(compare.err()).contains("only 'onnxruntime', found 'tensorflow'");
        Run batch = run("bench", "--model", model.toString(), "--batch", "0");
        assertThat(batch.exitCode()).isEqualTo(2);
        assertThat(batch.err()).contains("--batch must be at least 1, found 0");
        Run seconds = run("bench", "--model", model.toString(), "--seconds", "-1");
        assertThat(seconds.exitCode()).isEqualTo(2);
        assertThat(seconds.err()).contains("--seconds must be in (0, 3600], found -1.0");
        Run missing = run("bench", "--model", dir.resolve("absent.onnx").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("--model: no such file");
    }

    @Test
    void modelNameIsTheFileNameWithoutTheOnnxSuffix() {
        assertThat(BenchCommand.modelName(Path.of("models", "resnet18.onnx"))).isEqualTo("resnet18");
        assertThat(BenchCommand.modelName(Path.of("Net.ONNX"))).isEqualTo("Net");
        assertThat(BenchCommand.modelName(Path.of("weights.bin"))).isEqualTo("weights.bin");
    }
}
