package dev.retina.cli;

import static dev.retina.cli.EngineCommandFixtures.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.retina.cli.EngineCommandFixtures.Run;
import dev.retina.engine.io.Npy;
import dev.retina.engine.tensor.Shape;
import dev.retina.engine.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InferCommandTest {

    @TempDir
    Path dir;

    @Test
    void runsTheModelOnANpyBatchAndWritesItsFirstOutput() throws IOException {
        Path model = Files.write(dir.resolve("m.onnx"), EngineCommandFixtures.tinyClassifier());
        // Two images: the first all 1s in channel 0, the second 0.5 in channel 2 -> logits (10,0,0) and (0,0,5)
        float[] x = new float[2 * 3 * 16];
        for (int i = 0; i < 16; i++) {
            x[i] = 1f;
            x[48 + 32 + i] = 0.5f;
        }
        Path input = dir.resolve("x.npy");
        Npy.write(Tensor.of(Shape.of(2, 3, 4, 4), x), input);
        Path output = dir.resolve("y.npy");

        Run r = run("infer", "--model", model.toString(), "--input", input.toString(), "--output", output.toString(),
                "--threads", "2");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("output scores [2, 3] -> " + output + System.lineSeparator());
        Tensor y = Npy.read(output);
        assertThat(y.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(y.data()).containsExactly(new float[] {10, 0, 0, 0, 0, 5}, within(1e-5f));
    }

    @Test
    void missingArgumentsPrintUsageAndExitWith2() {
        Run r = run("infer", "--model", "m.onnx");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required options: '--input=X.npy', '--output=Y.npy'")
                .contains("Usage: retina infer");
    }

    @Test
    void badThreadCountIsAUsageError() throws IOException {
        Path model = Files.write(dir.resolve("m.onnx"), EngineCommandFixtures.tinyClassifier());
        Run r = run("infer", "--model", model.toString(), "--input", "x.npy", "--output", "y.npy", "--threads", "0");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--threads must be at least 1, found 0");
        Run notANumber = run("infer", "--model", "m", "--input", "x", "--output", "y", "--threads", "many");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("'many' is not an int");
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path missing = dir.resolve("absent.onnx");
        Run r = run("infer", "--model", missing.toString(), "--input", "x.npy", "--output", "y.npy");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--model: no such file: " + missing);

        Path model = Files.write(dir.resolve("m.onnx"), EngineCommandFixtures.tinyClassifier());
        Path noInput = dir.resolve("nothing.npy");
        Run r2 = run("infer", "--model", model.toString(), "--input", noInput.toString(), "--output", "y.npy");
        assertThat(r2.exitCode()).isEqualTo(1);
        assertThat(r2.err()).contains("--input: no such file: " + noInput);
    }

    @Test
    void wrongInputShapeAndBadNpySayWhatWasExpected() throws IOException {
        Path model = Files.write(dir.resolve("m.onnx"), EngineCommandFixtures.tinyClassifier());
        Path wrong = dir.resolve("wrong.npy");
        Npy.write(Tensor.of(Shape.of(1, 3, 5, 5), new float[75]), wrong);
        Run r = run("infer", "--model", model.toString(), "--input", wrong.toString(), "--output",
                dir.resolve("y.npy").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("retina infer: error: ").contains("[1, 3, 5, 5]");
        assertThat(dir.resolve("y.npy")).doesNotExist();

        Path notNpy = Files.writeString(dir.resolve("text.npy"), "hello");
        Run r2 = run("infer", "--model", model.toString(), "--input", notNpy.toString(), "--output",
                dir.resolve("y.npy").toString());
        assertThat(r2.exitCode()).isEqualTo(1);
        assertThat(r2.err()).contains("text.npy: expected the .npy magic");
    }

    @Test
    void anUnwritableOutputNamesThePath() throws IOException {
        Path model = Files.write(dir.resolve("m.onnx"), EngineCommandFixtures.tinyClassifier());
        Path input = dir.resolve("x.npy");
        Npy.write(Tensor.of(Shape.of(1, 3, 4, 4), new float[48]), input);
        Path output = dir.resolve("no-such-dir").resolve("y.npy");
        Run r = run("infer", "--model", model.toString(), "--input", input.toString(), "--output", output.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--output: cannot write " + output);
    }

    @Test
    void anInvalidModelIsALoadError() throws IOException {
        Path model = Files.writeString(dir.resolve("bad.onnx"), "not a model");
        Path input = dir.resolve("x.npy");
        Npy.write(Tensor.of(Shape.of(1), new float[1]), input);
        Run r = run("infer", "--model", model.toString(), "--input", input.toString(), "--output", "y.npy");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("retina infer: error: ");
    }
}
