package dev.retina.cli;

import static dev.retina.cli.EngineCommandFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.retina.cli.EngineCommandFixtures.Run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InspectCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsInputsOutputsOperatorsParametersMacsAndOpset() throws IOException {
        byte[] onnx = EngineCommandFixtures.tinyClassifier();
        Path model = Files.write(dir.resolve("tiny.onnx"), onnx);

        Run r = run("inspect", "--model", model.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        String n = System.lineSeparator();
        // Parameters: W (9) + B (3). MACs per image: Gemm 3 x 3 = 9 (the pooling's 48 additions are not MACs)
        assertThat(r.out()).startsWith("model: " + model + n + "sha256: ")
                .contains(n + "opset: 13" + n
                        + "inputs:" + n + "  image [N, 3, 4, 4]" + n
                        + "outputs:" + n + "  scores [N, 3]" + n
                        + "operators:" + n + "  Flatten 1" + n + "  Gemm 1" + n + "  GlobalAveragePool 1" + n
                        + "parameters: 12" + n);
        assertThat(r.out()).containsPattern("sha256: [0-9a-f]{64}");
        assertThat(r.out()).containsPattern("macs_per_image: \\d+");
    }

    @Test
    void requiresTheModelOption() {
        Run r = run("inspect");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option: '--model=M.onnx'").contains("Usage: retina inspect");
    }

    @Test
    void missingAndInvalidModelsAreReported() throws IOException {
        Path missing = dir.resolve("none.onnx");
        Run r = run("inspect", "--model", missing.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--model: no such file: " + missing);

        Path bad = Files.write(dir.resolve("bad.onnx"), new byte[] {8, 1, 18, 3, 'a'});
        Run r2 = run("inspect", "--model", bad.toString());
        assertThat(r2.exitCode()).isEqualTo(1);
        assertThat(r2.err()).startsWith("retina inspect: error: ");
        assertThat(r2.out()).isEmpty();
    }
}
